using System;
using System.Collections.Generic;
using System.Linq;
using VaeGen.Runtime.Benchmarking;
using Xunit;

namespace VaeGen.Runtime.Tests;

/// <summary>The shared timer: contenders' windows take turns, each after its own warm-up, and each reports its best window.</summary>
public sealed class ThroughputTests
{
    [Fact]
    public void InterleavedContendersTakeTurnsWindowByWindow()
    {
        var events = new List<string>();
        ThroughputContender Contender(string name) =>
            new(() => events.Add(name), 2, () => events.Add("before " + name));

        ThroughputResult[] results = Throughput.MeasureInterleaved([Contender("a"), Contender("b"), Contender("c")], seconds: 0.03);

        // Collapse each run of steps: what remains is the order of windows.
        var order = new List<string>();
        var stepsPerRun = new List<int>();
        foreach (string e in events)
        {
            if (order.Count > 0 && !e.StartsWith("before", StringComparison.Ordinal) && order[^1] == e)
            {
                stepsPerRun[^1]++;
                continue;
            }

            order.Add(e);
            stepsPerRun.Add(1);
        }

        string[] turn = ["before a", "a", "before b", "b", "before c", "c"];
        Assert.Equal(Enumerable.Repeat(turn, 1 + Throughput.Windows).SelectMany(t => t), order);

        // The warm-up's steps come first, then every window runs at least one step.
        Assert.Equal([Throughput.WarmupSteps, Throughput.WarmupSteps, Throughput.WarmupSteps], new[] { stepsPerRun[1], stepsPerRun[3], stepsPerRun[5] });
        Assert.All(results, r => Assert.True(r.Steps >= 1 && r.Seconds >= 0.01 && Math.Abs(r.SamplesPerSecond - (r.Steps * 2 / r.Seconds)) < 1e-6 * r.SamplesPerSecond));
    }

    [Fact]
    public void MeasureIsTheOneContenderCase()
    {
        int steps = 0;
        ThroughputResult result = Throughput.Measure(() => steps++, 5, seconds: 0.03);
        Assert.True(result.Steps >= 1 && result.Steps <= steps - Throughput.WarmupSteps);
        Assert.Equal(result.Steps * 5 / result.Seconds, result.SamplesPerSecond, 6);
    }

    [Fact]
    public void BadArgumentsAreRefused()
    {
        Assert.Throws<ArgumentException>(() => Throughput.MeasureInterleaved([], 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Throughput.MeasureInterleaved([new ThroughputContender(() => { }, 0)], 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Throughput.Measure(() => { }, 1, double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => Throughput.Measure(() => { }, 1, double.PositiveInfinity));
        Assert.Throws<ArgumentOutOfRangeException>(() => Throughput.Measure(() => { }, 1, 0));
    }
}
