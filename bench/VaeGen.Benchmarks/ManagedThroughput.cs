using VaeGen.Runtime.Benchmarking;
using VaeGen.Runtime.Init;
using VaeGen.Runtime.Models;
using VaeGen.Runtime.Tensors;

namespace VaeGen.Benchmarks;

/// <summary>
/// Samples per second of a generated managed model on one fixed batch uniform in the spec's range,
/// timed by <see cref="Throughput"/> (as vaegen bench and the TorchSharp column are).
/// </summary>
internal static class ManagedThroughput
{
    /// <summary>Training: TrainStep = zero grads, forward (encode, eps, decode, loss), backward, Adam step.</summary>
    public static double Train(BenchmarkCase c, double seconds)
    {
        VaeModel model = c.Create();
        Tensor x = RandomBatch(model.Config, c);
        return Throughput.Measure(() => model.TrainStep(x), c.Batch, seconds).SamplesPerSecond;
    }

    /// <summary>Inference in evaluation mode: Forward = encode, draw z, decode (into the declared layout).</summary>
    public static double Infer(BenchmarkCase c, double seconds)
    {
        VaeModel model = c.Create();
        model.Eval();
        Tensor x = RandomBatch(model.Config, c);
        return Throughput.Measure(() => model.Forward(x), c.Batch, seconds).SamplesPerSecond;
    }

    /// <summary>The benchmark batch: the spec's shape, uniform in its input range, the same values every time.</summary>
    internal static Tensor RandomBatch(VaeConfig config, BenchmarkCase c)
    {
        var x = new Tensor(config.BatchShape(c.Batch));
        new Rng(12345).FillUniform(x.Span, c.RangeMin, c.RangeMax);
        return x;
    }
}
