using System.CommandLine;
using VaeGen.Runtime.Init;
using VaeGen.Runtime.Models;
using VaeGen.Runtime.Tensors;
using VaeGen.Tool.Cli;
using VaeGen.Tool.Models;
using VaeGen.Tool.Rendering;

namespace VaeGen.Tool.Commands;

/// <summary><c>vaegen sample</c>: decodes z ~ N(0, I) with trained weights into a PNG grid.</summary>
internal static class SampleCommand
{
    /// <summary>The most samples one grid holds (32 x 32 images); decoding a million would need gigabytes for one picture nobody can read.</summary>
    public const int MaxSamples = 1024;

    public static Command Create(ToolConsole console)
    {
        var spec = ToolOptions.Spec();
        var weights = ToolOptions.Weights();
        var count = ToolOptions.PositiveInt("-n", "How many samples, at most " + MaxSamples + " (one grid; use other --seed values for more).", 64, maximum: MaxSamples);
        var output = new Option<string>("--out") { Description = "The PNG file to write.", DefaultValueFactory = _ => "samples.png", HelpName = "file" };
        var seed = ToolOptions.Seed("Seeds the latent vectors z.");
        var command = new Command("sample", "Decode random latent vectors z ~ N(0, I) into a grid of images (probabilities for bce specs, the reconstruction for mse).")
        {
            spec, weights, count, output, seed,
        };
        command.SetAction(parse => Run(console, parse.GetRequiredValue(spec), parse.GetRequiredValue(weights), parse.GetValue(count), parse.GetRequiredValue(output), parse.GetValue(seed)));
        return command;
    }

    private static int Run(ToolConsole console, string specPath, string weightsPath, int count, string output, ulong seed)
    {
        SpecFile spec = SpecFile.Load(specPath, console);
        OutputPaths.PrepareFile(output);
        VaeModel model = SpecModelFactory.Create(spec.Plan, seed);
        WeightsFile.LoadInto(model, weightsPath, specPath, console);

        var z = new Tensor(count, model.Config.LatentDim);
        new Rng(seed).FillNormal(z.Span);
        Grids.Save(output, Grids.Decode(model, z), model, Grids.DisplayRange(model, spec.Spec.Input.RangeMin, spec.Spec.Input.RangeMax));
        console.Out.WriteLine(output + ": " + count + " samples of " + spec.Name + " from " + weightsPath);
        return ExitCodes.Success;
    }
}
