using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using VaeGen.Runtime.Benchmarking;

namespace VaeGen.Benchmarks;

/// <summary>
/// The same measurement on the generated TorchSharp module (TorchSharp-cpu 0.107, libtorch 2.10), timed by the same
/// <see cref="Throughput"/> as the managed column, with 1 and 2 torch threads; the better is reported. The contenders
/// here are timed interleaved with the managed one (<see cref="Throughput.MeasureInterleaved"/>).
/// </summary>
internal sealed class TorchSharpThroughput : IDisposable
{
    private static readonly int[] ThreadCounts = [1, 2];

    private readonly List<TrainingRun> _training = new();
    private readonly List<InferenceRun> _inference = new();

    /// <summary>A training run and an inference run of the spec's module per thread count.</summary>
    public TorchSharpThroughput(BenchmarkCase c, int[] shape)
    {
        foreach (int threads in ThreadCounts)
        {
            _training.Add(new TrainingRun(c, shape, threads));
            _inference.Add(new InferenceRun(c, shape, threads));
        }
    }

    /// <summary>The training contenders, one per thread count.</summary>
    public IEnumerable<ThroughputContender> TrainingContenders(int batch) =>
        _training.Select(run => new ThroughputContender(run.Step, batch, run.SetThreads));

    /// <summary>The inference contenders, one per thread count.</summary>
    public IEnumerable<ThroughputContender> InferenceContenders(int batch) =>
        _inference.Select(run => new ThroughputContender(run.Step, batch, run.SetThreads));

    /// <summary>The best of the thread counts' results (as <see cref="TrainingContenders"/> or <see cref="InferenceContenders"/> ordered them), and its thread count.</summary>
    public static (double SamplesPerSecond, int Threads) Best(ReadOnlySpan<ThroughputResult> results)
    {
        (double rate, int threads) best = (0, 0);
        for (int i = 0; i < results.Length; i++)
        {
            if (results[i].SamplesPerSecond > best.rate)
            {
                best = (results[i].SamplesPerSecond, ThreadCounts[i]);
            }
        }

        return best;
    }

    public void Dispose()
    {
        _training.ForEach(run => run.Dispose());
        _inference.ForEach(run => run.Dispose());
    }

    private static torch.Tensor RandomBatch(BenchmarkCase c, int[] shape) =>
        (torch.rand(shape.Select(d => (long)d).ToArray()) * (c.RangeMax - c.RangeMin)) + c.RangeMin;

    /// <summary>
    /// A module in training mode with its Adam and one fixed batch; <see cref="Step"/> is one training step (zero grads,
    /// Loss = encode, eps, decode, loss; backward; Adam step), as the managed TrainStep.
    /// </summary>
    internal sealed class TrainingRun : IDisposable
    {
        private readonly TorchSharpModel _model;
        private readonly torch.optim.Optimizer _optimizer;
        private readonly torch.Tensor _x;
        private readonly int _threads;

        public TrainingRun(BenchmarkCase c, int[] shape, int threads = 1)
        {
            torch.manual_seed(0);
            _model = c.CreateTorchSharp();
            _optimizer = torch.optim.Adam(_model.Module.parameters(), lr: 1e-3);
            _x = RandomBatch(c, shape);
            _model.Module.train();
            _threads = threads;
        }

        /// <summary>Sets libtorch's thread count to this run's.</summary>
        public void SetThreads() => torch.set_num_threads(_threads);

        public void Step()
        {
            using var scope = torch.NewDisposeScope();
            _optimizer.zero_grad();
            _model.Loss(_x).backward();
            _optimizer.step();
        }

        public void Dispose()
        {
            _x.Dispose();
            _optimizer.Dispose();
            _model.Module.Dispose();
        }
    }

    /// <summary>A module in evaluation mode and one fixed batch; <see cref="Step"/> is a forward (encode, draw z, decode) under <c>torch.inference_mode()</c>.</summary>
    private sealed class InferenceRun : IDisposable
    {
        private readonly TorchSharpModel _model;
        private readonly torch.Tensor _x;
        private readonly int _threads;

        public InferenceRun(BenchmarkCase c, int[] shape, int threads)
        {
            torch.manual_seed(0);
            _model = c.CreateTorchSharp();
            _x = RandomBatch(c, shape);
            _model.Module.eval();
            _threads = threads;
        }

        public void SetThreads() => torch.set_num_threads(_threads);

        public void Step()
        {
            using var inference = torch.inference_mode();
            using var scope = torch.NewDisposeScope();
            _model.Forward(_x);
        }

        public void Dispose()
        {
            _x.Dispose();
            _model.Module.Dispose();
        }
    }
}
