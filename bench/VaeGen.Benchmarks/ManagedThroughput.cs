using VaeGen.Runtime.Benchmarking;
using VaeGen.Runtime.Init;
using VaeGen.Runtime.Models;
using VaeGen.Runtime.Tensors;

namespace VaeGen.Benchmarks;

/// <summary>
/// A generated managed model's training step and evaluation pass on one fixed batch uniform in the spec's range, as
/// contenders for <see cref="Throughput"/> (which times vaegen bench and the TorchSharp column too).
/// </summary>
internal static class ManagedThroughput
{
    /// <summary>Training: TrainStep = zero grads, forward (encode, eps, decode, loss), backward, Adam step.</summary>
    public static ThroughputContender Train(BenchmarkCase c)
    {
        VaeModel model = c.Create();
        Tensor x = RandomBatch(model.Config, c);
        return new ThroughputContender(() => model.TrainStep(x), c.Batch);
    }

    /// <summary>
    /// Inference in <see cref="VaeModel.InferenceMode"/> (evaluation mode, each weight packed once; the scope stays open
    /// for the model's life): Forward = encode, draw z, decode (into the declared layout).
    /// </summary>
    public static ThroughputContender Infer(BenchmarkCase c)
    {
        VaeModel model = c.Create();
        _ = model.InferenceMode(); // never disposed: the scope lasts as long as the benchmark
        Tensor x = RandomBatch(model.Config, c);
        return new ThroughputContender(() => model.Forward(x), c.Batch);
    }

    /// <summary>The benchmark batch: the spec's shape, uniform in its input range, the same values every time.</summary>
    internal static Tensor RandomBatch(VaeConfig config, BenchmarkCase c)
    {
        var x = new Tensor(config.BatchShape(c.Batch));
        new Rng(12345).FillUniform(x.Span, c.RangeMin, c.RangeMax);
        return x;
    }
}
