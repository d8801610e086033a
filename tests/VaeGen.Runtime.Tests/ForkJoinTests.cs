using System;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using VaeGen.Runtime.Init;
using VaeGen.Runtime.Kernels;
using Xunit;
using Xunit.Abstractions;

namespace VaeGen.Runtime.Tests;

/// <summary>
/// The worker pool's hand-over: every part of every call runs exactly once, whether the worker is
/// spinning, parking or on its way to park when the call comes; errors reach the caller.
/// </summary>
[Collection(ThreadSettingsCollection.Name)]
public sealed class ForkJoinTests
{
    private const int Calls = 20_000;

    public static TheoryData<int> SpinMicroseconds => new() { 0, 20, 500 };

    [Theory]
    [MemberData(nameof(SpinMicroseconds))]
    public void Every_part_of_every_call_runs_once_whether_the_worker_spins_or_parks(int spinMicroseconds)
    {
        TimeSpan saved = ForkJoin.SpinTime;
        ForkJoin.SpinTime = TimeSpan.FromTicks(spinMicroseconds * TimeSpan.TicksPerMicrosecond);
        try
        {
            int parts = ForkJoin.Workers + 2;
            var runs = new int[parts];
            var rng = new Random(7);
            for (int call = 0; call < Calls; call++)
            {
                Array.Clear(runs);
                ForkJoin.Run(new CountingBody(runs, delayEvery: 0), parts);
                for (int p = 0; p < parts; p++)
                {
                    Assert.True(runs[p] == 1, $"call {call}: part {p} ran {runs[p]} times");
                }

                // Gaps around the spin time: the next call finds the worker spinning, parking or parked.
                switch (rng.Next(8))
                {
                    case 0:
                        Thread.Sleep(1);
                        break;
                    case 1:
                        WaitMicroseconds(rng.Next(spinMicroseconds + 30));
                        break;
                }
            }
        }
        finally
        {
            ForkJoin.SpinTime = saved;
        }
    }

    [Fact]
    public void Parts_of_unequal_length_all_finish_before_the_call_returns()
    {
        int parts = ForkJoin.Workers + 1;
        var runs = new int[parts];
        for (int call = 0; call < 200; call++)
        {
            Array.Clear(runs);
            ForkJoin.Run(new CountingBody(runs, delayEvery: 1), parts);
            Assert.All(runs, r => Assert.Equal(1, r));
        }
    }

    [Fact]
    public void An_exception_in_any_part_reaches_the_caller_and_the_pool_keeps_working()
    {
        int parts = ForkJoin.Workers + 1;
        for (int failing = 0; failing < parts; failing++)
        {
            var e = Assert.Throws<InvalidOperationException>(() => ForkJoin.Run(new ThrowingBody(failing), parts));
            Assert.Equal($"part {failing}", e.Message);
        }

        var runs = new int[parts];
        ForkJoin.Run(new CountingBody(runs, delayEvery: 0), parts);
        Assert.All(runs, r => Assert.Equal(1, r));
    }

    [Fact]
    public void Callers_on_several_threads_each_get_all_their_parts()
    {
        int parts = ForkJoin.Workers + 1;
        Parallel.For(0, 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, _ =>
        {
            var runs = new int[parts];
            for (int call = 0; call < 2_000; call++)
            {
                Array.Clear(runs);
                ForkJoin.Run(new CountingBody(runs, delayEvery: 0), parts);
                Assert.All(runs, r => Assert.Equal(1, r));
            }
        });
    }

    /// <summary>Busy-waits (the thread stays on its core, as a computation between two calls would).</summary>
    internal static void WaitMicroseconds(int microseconds)
    {
        long until = Stopwatch.GetTimestamp() + (microseconds * Stopwatch.Frequency / 1_000_000);
        while (Stopwatch.GetTimestamp() < until)
        {
            Thread.SpinWait(10);
        }
    }

    private readonly struct CountingBody : IForkJoinBody
    {
        private readonly int[] _runs;
        private readonly int _delayEvery;

        public CountingBody(int[] runs, int delayEvery)
        {
            _runs = runs;
            _delayEvery = delayEvery;
        }

        public void Run(int part, int parts)
        {
            if (_delayEvery > 0 && part % 2 == 1)
            {
                WaitMicroseconds(200);
            }

            Interlocked.Increment(ref _runs[part]);
        }
    }

    private readonly struct ThrowingBody : IForkJoinBody
    {
        private readonly int _failing;

        public ThrowingBody(int failing) => _failing = failing;

        public void Run(int part, int parts)
        {
            if (part == _failing)
            {
                throw new InvalidOperationException($"part {part}");
            }
        }
    }
}

/// <summary>
/// How long a parallel product of fashion_mlp's encoder takes per call, back to back, with the
/// worker parking at once or spinning first: the reason for <see cref="ForkJoin.SpinTime"/>.
/// </summary>
[Trait("Category", "Benchmark")]
[Collection(ThreadSettingsCollection.Name)]
public sealed class ForkJoinBenchmarks
{
    private readonly ITestOutputHelper _output;

    public ForkJoinBenchmarks(ITestOutputHelper output) => _output = output;

    [BenchmarkFact]
    public void SmallProductsBackToBackParkingAgainstSpinning()
    {
        const int m = 128, n = 400, k = 784;
        var rng = new Rng(1);
        var a = new float[m * k];
        var b = new float[n * k];
        var c = new float[m * n];
        rng.FillUniform(a, -1, 1);
        rng.FillUniform(b, -1, 1);
        TimeSpan saved = ForkJoin.SpinTime;
        try
        {
            for (int round = 0; round < 3; round++)
            {
                foreach ((TimeSpan spin, int threads) in new[] { (TimeSpan.Zero, 1), (TimeSpan.Zero, 2), (saved, 2) })
                {
                    ForkJoin.SpinTime = spin;
                    Sgemm.MaxThreads = threads;
                    var times = new double[400];
                    for (int i = -20; i < times.Length; i++)
                    {
                        long t0 = Stopwatch.GetTimestamp();
                        Sgemm.Multiply(false, true, m, n, k, a, k, b, k, c, n, accumulate: false);
                        if (i >= 0)
                        {
                            times[i] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
                        }

                        // A training step's serial stretch between two products.
                        ForkJoinTests.WaitMicroseconds(50);
                    }

                    Array.Sort(times);
                    _output.WriteLine($"{threads} thread(s), spin {spin.TotalMilliseconds:F2} ms: {m}x{k} by {k}x{n} median {times[times.Length / 2]:F3} ms, best {times[0]:F3} ms, 90th percentile {times[(times.Length * 9) / 10]:F3} ms");
                }
            }
        }
        finally
        {
            ForkJoin.SpinTime = saved;
            Sgemm.MaxThreads = Environment.ProcessorCount;
        }
    }
}

/// <summary>
/// Tests that change the process-wide thread settings (Sgemm.MaxThreads and ParallelThreshold, ConvWorkspace.WideFromThreads,
/// ForkJoin.SpinTime) or kernel choices (DirectConv.UseAvx512, whose weight gradients differ in their last bits), or
/// that such a change would disturb (allocation counts, timings, bit-for-bit comparisons of two runs), run one at a time.
/// </summary>
[CollectionDefinition(Name)]
public sealed class ThreadSettingsCollection
{
    public const string Name = "Thread settings";
}
