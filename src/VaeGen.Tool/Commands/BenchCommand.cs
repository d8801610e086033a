using System;
using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using VaeGen.Runtime.Benchmarking;
using VaeGen.Runtime.Init;
using VaeGen.Runtime.Models;
using VaeGen.Runtime.Tensors;
using VaeGen.Spec.Shapes;
using VaeGen.Tool.Cli;
using VaeGen.Tool.Models;

namespace VaeGen.Tool.Commands;

/// <summary>
/// <c>vaegen bench</c>: training and inference throughput of a spec's model on this machine, on
/// synthetic batches (speed does not depend on the pixel values), timed by VaeGen.Runtime's
/// <see cref="Throughput"/>, the timer bench/VaeGen.Benchmarks uses, so the two report the same way.
/// </summary>
internal static class BenchCommand
{
    public static Command Create(ToolConsole console)
    {
        var spec = ToolOptions.Spec();
        var batch = ToolOptions.PositiveInt("--batch", "Images per step.", 128);
        var seconds = ToolOptions.PositiveDouble("--seconds", "How long to measure each of training and inference, after a warm-up.", 3, "s");
        var json = ToolOptions.Json();
        var command = new Command("bench", "Measure training samples per second (forward, backward, Adam step) and inference samples per second (encode, sample z, decode).")
        {
            spec, batch, seconds, json,
        };
        command.SetAction(parse => Run(console, parse.GetRequiredValue(spec), parse.GetValue(batch), parse.GetValue(seconds), parse.GetValue(json)));
        return command;
    }

    private static int Run(ToolConsole console, string specPath, int batch, double seconds, bool json)
    {
        SpecFile spec = SpecFile.Load(specPath, console);
        ModelCost cost = ModelCost.Of(spec.Plan);
        long heapBefore = GC.GetTotalMemory(forceFullCollection: true);
        VaeModel model = SpecModelFactory.Create(spec.Plan, 0);
        var x = new Tensor(model.Config.BatchShape(batch));
        new Rng(1).FillUniform(x.Span, spec.Spec.Input.RangeMin, spec.Spec.Input.RangeMax);

        // A conditional model gets the classes in turn, 0, 1, ..., K-1, 0, ...
        int classes = model.Config.Classes;
        int[] labels = new int[classes > 0 ? batch : 0];
        for (int i = 0; i < labels.Length; i++)
        {
            labels[i] = i % classes;
        }

        LossTerms Step() => classes > 0 ? model.TrainStep(x, labels) : model.TrainStep(x);
        (Tensor, Tensor, Tensor) Infer() => classes > 0 ? model.Forward(x, labels) : model.Forward(x);

        model.Train();
        ThroughputResult train = Throughput.Measure(() => Step(), batch, seconds);

        // A steady training step allocates nothing, so what the model holds after the warm-up and the timed
        // steps (parameters, gradients, Adam's moments, activations, workspaces) is the peak of a step.
        long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        Step();
        long allocatedPerStep = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        long trainingBytes = GC.GetTotalMemory(forceFullCollection: true) - heapBefore;
        ThroughputResult inference;
        using (model.InferenceMode())
        {
            // Evaluation mode with each weight packed once, as an application would run inference.
            inference = Throughput.Measure(() => Infer(), batch, seconds);
        }

        var report = new BenchReport(specPath, spec.Name, spec.Plan.TotalParameters, batch, Environment.ProcessorCount, Throughput.Windows,
            train.SamplesPerSecond, inference.SamplesPerSecond, train.Steps, inference.Steps, train.Seconds, inference.Seconds,
            cost.TrainingFlops, cost.ForwardFlops, train.SamplesPerSecond * cost.TrainingFlops, inference.SamplesPerSecond * cost.ForwardFlops,
            trainingBytes, allocatedPerStep);
        if (json)
        {
            console.Out.WriteLine(JsonSerializer.Serialize(report, ToolJson.Default.BenchReport));
            return ExitCodes.Success;
        }

        console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{spec.Name} ({specPath}), batch {batch}, {Environment.ProcessorCount} cores"));
        console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"training   {report.TrainSamplesPerSecond,12:N0} samples/s  (best of {Throughput.Windows} windows: {train.Steps} steps in {train.Seconds:F2} s)"));
        console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"inference  {report.InferenceSamplesPerSecond,12:N0} samples/s  (best of {Throughput.Windows} windows: {inference.Steps} passes in {inference.Seconds:F2} s)"));
        console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"arithmetic {report.TrainFlopsPerSecond / 1e9,12:F1} GFLOP/s training ({cost.TrainingFlops / 1e6:F2} MFLOP/sample), {report.InferenceFlopsPerSecond / 1e9:F1} GFLOP/s inference ({cost.ForwardFlops / 1e6:F2} MFLOP/sample)"));
        console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"memory     {trainingBytes / (1024.0 * 1024.0),12:F1} MiB held by the training model (managed heap), {allocatedPerStep:N0} bytes allocated per steady step"));
        return ExitCodes.Success;
    }
}

/// <summary>
/// The JSON of <c>vaegen bench --json</c>: rates, steps and seconds are those of the best of <c>Windows</c> windows.
/// FLOPs count the multiply-adds of linear and convolution layers twice (<see cref="ModelCost"/>); TrainingBytes is the
/// managed heap the training model holds after its steps, AllocatedBytesPerStep what one steady step allocates.
/// </summary>
internal sealed record BenchReport(string Spec, string Model, long Parameters, int Batch, int Cores, int Windows, double TrainSamplesPerSecond, double InferenceSamplesPerSecond,
    long TrainSteps, long InferenceSteps, double TrainSeconds, double InferenceSeconds,
    long TrainFlopsPerSample, long InferenceFlopsPerSample, double TrainFlopsPerSecond, double InferenceFlopsPerSecond,
    long TrainingBytes, long AllocatedBytesPerStep);
