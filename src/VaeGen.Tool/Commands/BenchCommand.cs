using System;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using VaeGen.Runtime.Init;
using VaeGen.Runtime.Models;
using VaeGen.Runtime.Tensors;
using VaeGen.Tool.Cli;
using VaeGen.Tool.Models;

namespace VaeGen.Tool.Commands;

/// <summary>
/// <c>vaegen bench</c>: training and inference throughput of a spec's model on this machine, on
/// synthetic batches (speed does not depend on the pixel values), after a warm-up.
/// </summary>
internal static class BenchCommand
{
    private const int WarmupSteps = 3;

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
        VaeModel model = SpecModelFactory.Create(spec.Plan, 0);
        var x = new Tensor(model.Config.BatchShape(batch));
        new Rng(1).FillUniform(x.Span, spec.Spec.Input.RangeMin, spec.Spec.Input.RangeMax);

        model.Train();
        var (trainSteps, trainSeconds) = Measure(() => model.TrainStep(x), seconds);
        model.Eval();
        var (inferenceSteps, inferenceSeconds) = Measure(() => model.Forward(x), seconds);

        var report = new BenchReport(specPath, spec.Name, spec.Plan.TotalParameters, batch, Environment.ProcessorCount,
            trainSteps * (double)batch / trainSeconds, inferenceSteps * (double)batch / inferenceSeconds, trainSteps, inferenceSteps, trainSeconds, inferenceSeconds);
        if (json)
        {
            console.Out.WriteLine(JsonSerializer.Serialize(report, ToolJson.Default.BenchReport));
            return ExitCodes.Success;
        }

        console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{spec.Name} ({specPath}), batch {batch}, {Environment.ProcessorCount} cores"));
        console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"training   {report.TrainSamplesPerSecond,12:N0} samples/s  ({trainSteps} steps in {trainSeconds:F2} s)"));
        console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"inference  {report.InferenceSamplesPerSecond,12:N0} samples/s  ({inferenceSteps} passes in {inferenceSeconds:F2} s)"));
        return ExitCodes.Success;
    }

    /// <summary>Runs <paramref name="step"/> a few times unmeasured (JIT, buffers), then until <paramref name="seconds"/> have passed.</summary>
    private static (int Steps, double Seconds) Measure(Action step, double seconds)
    {
        for (int i = 0; i < WarmupSteps; i++)
        {
            step();
        }

        int steps = 0;
        long start = Stopwatch.GetTimestamp();
        double elapsed;
        do
        {
            step();
            steps++;
            elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
        }
        while (elapsed < seconds);
        return (steps, elapsed);
    }
}

/// <summary>The JSON of <c>vaegen bench --json</c>.</summary>
internal sealed record BenchReport(string Spec, string Model, long Parameters, int Batch, int Cores, double TrainSamplesPerSecond, double InferenceSamplesPerSecond,
    int TrainSteps, int InferenceSteps, double TrainSeconds, double InferenceSeconds);
