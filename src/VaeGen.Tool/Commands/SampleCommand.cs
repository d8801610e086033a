using System.CommandLine;
using VaeGen.Runtime.Init;
using VaeGen.Runtime.Models;
using VaeGen.Runtime.Tensors;
using VaeGen.Tool.Cli;
using VaeGen.Tool.Data;
using VaeGen.Tool.Models;
using VaeGen.Tool.Rendering;

namespace VaeGen.Tool.Commands;

/// <summary>
/// <c>vaegen sample</c>: decodes z ~ N(0, I) with trained weights into a PNG grid. A conditional spec
/// decodes with a class: the one <c>--class</c> names, or without it every class, one row each.
/// </summary>
internal static class SampleCommand
{
    /// <summary>The most samples one grid holds (32 x 32 images); decoding a million would need gigabytes for one picture nobody can read.</summary>
    public const int MaxSamples = 1024;

    /// <summary>Samples per class in a conditional spec's per-class grid unless -n says otherwise.</summary>
    public const int DefaultPerClass = 8;

    public static Command Create(ToolConsole console)
    {
        var spec = ToolOptions.Spec();
        var weights = ToolOptions.Weights();
        var count = ToolOptions.PositiveInt("-n", "How many samples, at most " + MaxSamples + " (one grid; use other --seed values for more). " +
                                                  "In a conditional spec's per-class grid: samples per class (default " + DefaultPerClass + ").", 64, maximum: MaxSamples);
        var output = new Option<string>("--out") { Description = "The PNG file to write.", DefaultValueFactory = _ => "samples.png", HelpName = "file" };
        var seed = ToolOptions.Seed("Seeds the latent vectors z.");
        var sampleClass = ToolOptions.Class("A conditional spec's class (0..K-1, condition: { classes: K }) to draw. Without it a conditional spec gets a grid " +
                                            "with one row per class, the same z in each column.");
        var command = new Command("sample", "Decode random latent vectors z ~ N(0, I) into a grid of images (probabilities for bce specs, the reconstruction for mse).")
        {
            spec, weights, count, output, seed, sampleClass,
        };
        command.SetAction(parse => Run(console, parse.GetRequiredValue(spec), parse.GetRequiredValue(weights), parse.GetValue(count), ToolOptions.IsGiven(parse, count),
            parse.GetRequiredValue(output), parse.GetValue(seed), parse.GetValue(sampleClass)));
        return command;
    }

    private static int Run(ToolConsole console, string specPath, string weightsPath, int count, bool countGiven, string output, ulong seed, int? sampleClass)
    {
        SpecFile spec = SpecFile.Load(specPath, console);
        int classes = InputGeometry.Of(spec.Spec).Classes;
        ToolOptions.CheckClass(sampleClass, spec, "sample");

        bool perClass = classes > 0 && sampleClass is null;
        int perRow = perClass && !countGiven ? DefaultPerClass : count;
        if (perClass && (long)classes * perRow > MaxSamples)
        {
            throw new ToolException("-n: " + classes + " classes x " + perRow + " samples is more than the " + MaxSamples + " one grid holds; use -n " + (MaxSamples / classes) +
                                    " or less, or --class");
        }

        OutputPaths.PrepareFile(output);
        VaeModel model = SpecModelFactory.Create(spec.Plan, seed);
        WeightsFile.LoadInto(model, weightsPath, specPath, console);
        var range = Grids.DisplayRange(model, spec.Spec.Input.RangeMin, spec.Spec.Input.RangeMax);

        var z = new Tensor(perRow, model.Config.LatentDim);
        new Rng(seed).FillNormal(z.Span);
        if (perClass)
        {
            Grids.Save(output, Grids.PerClass(model, z, perRow), model, range, perRow, Grids.ClassRowLabels(classes));
            console.Out.WriteLine(output + ": " + perRow + " samples of each of the " + classes + " classes of " + spec.Name + " (one row per class, the same z in each column) from " +
                                  weightsPath);
            return ExitCodes.Success;
        }

        int[]? labels = null;
        if (sampleClass is int k)
        {
            labels = new int[count];
            System.Array.Fill(labels, k);
        }

        Grids.Save(output, Grids.Decode(model, z, labels), model, range);
        console.Out.WriteLine(output + ": " + count + " samples" + (sampleClass is int c ? " of class " + c : string.Empty) + " of " + spec.Name + " from " + weightsPath);
        return ExitCodes.Success;
    }
}
