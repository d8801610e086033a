using System.Diagnostics;
using VaeGen.Runtime.Init;
using Xunit;
using Xunit.Abstractions;

namespace VaeGen.Runtime.Tests;

/// <summary>Why FillNormal takes its logarithms a vector at a time: seed000's eps (64 x 128) both ways, side by side.</summary>
[Trait("Category", "Benchmark")]
public sealed class NormalSamplerBenchmarks
{
    private readonly ITestOutputHelper _output;

    public NormalSamplerBenchmarks(ITestOutputHelper output) => _output = output;

    [BenchmarkFact]
    public void FillNormalAgainstOneDrawAtATime()
    {
        var buffer = new float[64 * 128];
        var rng = new Rng(1);
        double scalar = double.MaxValue, vector = double.MaxValue;
        for (int round = 0; round < 200; round++)
        {
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < buffer.Length; i++)
            {
                buffer[i] = (float)rng.NextNormal();
            }

            scalar = System.Math.Min(scalar, Stopwatch.GetElapsedTime(start).TotalMicroseconds);
            start = Stopwatch.GetTimestamp();
            rng.FillNormal(buffer);
            vector = System.Math.Min(vector, Stopwatch.GetElapsedTime(start).TotalMicroseconds);
        }

        _output.WriteLine($"{buffer.Length} normals: one NextNormal at a time {scalar:F1} us, FillNormal {vector:F1} us ({scalar / vector:F1}x)");
    }
}
