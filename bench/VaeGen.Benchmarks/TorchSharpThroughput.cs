using System;
using System.Linq;
using TorchSharp;
using VaeGen.Runtime.Benchmarking;

namespace VaeGen.Benchmarks;

/// <summary>
/// The same measurement on the generated TorchSharp module (TorchSharp-cpu 0.107, libtorch 2.10), timed by the same
/// <see cref="Throughput"/> as the managed column, with 1 and 2 torch threads; the better is reported.
/// </summary>
internal static class TorchSharpThroughput
{
    public sealed record Result(double Train, int TrainThreads, double Infer, int InferThreads);

    public static Result Measure(BenchmarkCase c, int[] shape, double seconds)
    {
        double train = 0, infer = 0;
        int trainThreads = 0, inferThreads = 0;
        foreach (int threads in new[] { 1, 2 })
        {
            torch.set_num_threads(threads);
            double t = Train(c, shape, seconds);
            double i = Infer(c, shape, seconds);
            if (t > train)
            {
                (train, trainThreads) = (t, threads);
            }

            if (i > infer)
            {
                (infer, inferThreads) = (i, threads);
            }
        }

        return new Result(train, trainThreads, infer, inferThreads);
    }

    /// <summary>Training: zero grads, Loss (encode, eps, decode, loss), backward, Adam step, as the managed TrainStep.</summary>
    private static double Train(BenchmarkCase c, int[] shape, double seconds)
    {
        using TrainingRun run = new(c, shape);
        return Throughput.Measure(run.Step, c.Batch, seconds).SamplesPerSecond;
    }

    /// <summary>A module in training mode with its Adam and one fixed batch; <see cref="Step"/> is one training step.</summary>
    internal sealed class TrainingRun : IDisposable
    {
        private readonly TorchSharpModel _model;
        private readonly torch.optim.Optimizer _optimizer;
        private readonly torch.Tensor _x;

        public TrainingRun(BenchmarkCase c, int[] shape)
        {
            torch.manual_seed(0);
            _model = c.CreateTorchSharp();
            _optimizer = torch.optim.Adam(_model.Module.parameters(), lr: 1e-3);
            _x = RandomBatch(c, shape);
            _model.Module.train();
        }

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

    /// <summary>Inference in evaluation mode without autograd: forward = encode, draw z, decode.</summary>
    private static double Infer(BenchmarkCase c, int[] shape, double seconds)
    {
        torch.manual_seed(0);
        TorchSharpModel model = c.CreateTorchSharp();
        using var module = model.Module;
        using var x = RandomBatch(c, shape);
        module.eval();
        using var noGrad = torch.no_grad();
        return Throughput.Measure(() =>
        {
            using var scope = torch.NewDisposeScope();
            model.Forward(x);
        }, c.Batch, seconds).SamplesPerSecond;
    }

    private static torch.Tensor RandomBatch(BenchmarkCase c, int[] shape) =>
        (torch.rand(shape.Select(d => (long)d).ToArray()) * (c.RangeMax - c.RangeMin)) + c.RangeMin;
}
