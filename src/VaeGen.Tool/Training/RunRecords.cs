using System.Collections.Generic;

namespace VaeGen.Tool.Training;

/// <summary>
/// How a training run was started. Saved in its checkpoint, so <c>--resume</c> continues with the
/// same seed, batch size, learning rate and data unless the user overrides one explicitly.
/// </summary>
/// <param name="Data">The <c>--data</c> folder as a full path, or null for the spec's default data.</param>
internal sealed record RunSettings(ulong Seed, int Batch, double LearningRate, string? Data, int? LimitTrain, int? LimitTest);

/// <summary>One finished epoch: training means over its steps, the test-set evaluation after it, and its speed.</summary>
/// <param name="TrainLoss">Mean over the epoch's training images of the objective (recon_i + beta * kl_i, or the kl schedule's), each at the step that used it.</param>
/// <param name="TestNegElbo">Mean over the test images of the plain recon_i + kl_i with one sampled z per image, layers in eval mode.</param>
/// <param name="Curve">The training loss averaged over consecutive groups of steps, for the loss plot.</param>
internal sealed record EpochResult(
    int Epoch,
    double TrainLoss,
    double TrainReconstruction,
    double TrainKl,
    double TestNegElbo,
    double TestReconstruction,
    double TestKl,
    double Seconds,
    double SamplesPerSecond,
    double[] Curve);

/// <summary>Everything a checkpoint records besides tensors: the settings and the results so far.</summary>
internal sealed record RunState(string Model, int Epoch, RunSettings Settings, List<EpochResult> History);

/// <summary>What <c>metrics.json</c> in the output folder holds after every epoch.</summary>
internal sealed record TrainingMetrics(string Spec, string Model, string Data, long Parameters, RunSettings Settings, List<EpochResult> Epochs);
