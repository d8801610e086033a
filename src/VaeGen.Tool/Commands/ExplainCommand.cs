using System;
using System.Collections.Generic;
using System.CommandLine;
using System.IO;
using VaeGen.Data;
using VaeGen.Runtime.Init;
using VaeGen.Runtime.Models;
using VaeGen.Runtime.Tensors;
using VaeGen.Tool.Cli;
using VaeGen.Tool.Data;
using VaeGen.Tool.Models;
using VaeGen.Tool.Rendering;

namespace VaeGen.Tool.Commands;

/// <summary>
/// <c>vaegen explain</c>: one image through the model step by step, with real numbers, in the
/// style of the seed walkthroughs: on the seed document's own 5x5 image for seed000.vae.yaml, on
/// the first test image of the spec's data otherwise, or on a PNG given with --input.
/// </summary>
internal static class ExplainCommand
{
    public static Command Create(ToolConsole console)
    {
        var spec = ToolOptions.Spec();
        var input = new Option<string?>("--input") { Description = "A PNG image of the spec's size to walk through (default: the seed image for seed000.vae.yaml, else the first test image).", HelpName = "file" };
        var seed = ToolOptions.Seed("Seeds the initial weights (when no --weights are given); eps is drawn with seed + 1, as eval draws it.");
        var weights = new Option<string?>("--weights") { Description = "Trained weights to use instead of the initial ones (a safetensors file).", HelpName = "file" };
        var data = ToolOptions.Data();
        var label = ToolOptions.Class("For a conditional spec (condition: { classes: K }): the class y in 0..K-1 that the heads and the decoder read (default: the image's label in the data, else 0).");
        var command = new Command("explain",
            "Walk one image through the model tensor by tensor: every layer, mu, logvar, sigma, eps, z, the decoder, the reconstruction term, the KL term and the total, " +
            "with each step's shape and its first and last values.")
        {
            spec, input, seed, weights, data, label,
        };
        command.SetAction(parse => Run(console, parse.GetRequiredValue(spec), parse.GetValue(input), parse.GetValue(seed), parse.GetValue(weights), parse.GetValue(data),
            parse.GetValue(label)));
        return command;
    }

    private static int Run(ToolConsole console, string specPath, string? inputPath, ulong seed, string? weightsPath, string? dataPath, int? label)
    {
        SpecFile spec = SpecFile.Load(specPath, console);
        long classes = spec.Spec.Classes;
        ToolOptions.CheckClass(label, spec, "explain");

        var geometry = InputGeometry.Of(spec.Spec);
        VaeModel model = SpecModelFactory.Create(spec.Plan, seed);
        if (weightsPath is not null)
        {
            WeightsFile.LoadInto(model, weightsPath, specPath, console);
        }

        var (image, what, dataLabel) = PickImage(spec, geometry, inputPath, dataPath);
        Tensor x = new BatchFiller(ImageDataset.FromImages([image]), geometry).Take(0, 1);
        var epsilon = new Tensor(1, model.Config.LatentDim);
        new Rng(unchecked(seed + 1)).FillNormal(epsilon.Span);

        var heading = new List<string>
        {
            "Input: " + what + ".",
            "Weights: " + (weightsPath is null ? "PyTorch's default initialisation drawn with seed " + seed + " (untrained; pass --weights for trained ones)" : weightsPath) +
            ". ε: drawn with seed " + (seed + 1) + ".",
        };
        // A conditional spec's image walks through with its own label when the data has one, unless --class chooses.
        int y = label ?? dataLabel ?? 0;
        if (classes > 0)
        {
            string source = label is not null ? "--class" : dataLabel is not null ? "the image's label in the data" : "no label given, so class 0";
            heading.Add("Label: y = " + y + " of " + classes + " classes (" + source + "; the conditional spec's heads and decoder read its one-hot; --class k chooses).");
        }

        Walkthrough.Write(console.Out, spec.Plan, model, x, epsilon, specPath, heading, y);
        return ExitCodes.Success;
    }

    /// <summary>The image to walk through, what it is, and its label when it comes from a labelled data set (for a conditional spec).</summary>
    private static (ByteImage Image, string What, int? Label) PickImage(SpecFile spec, InputGeometry geometry, string? inputPath, string? dataPath)
    {
        if (inputPath is not null)
        {
            return (ImageFiles.ReadMatching(inputPath, geometry), inputPath, null);
        }

        // The seed document's image for the seed's spec, unless the user asked for the data set.
        if (dataPath is null && string.Equals(Path.GetFileName(spec.Path), SeedImage.SpecFileName, StringComparison.OrdinalIgnoreCase) &&
            geometry is { Height: 5, Width: 5, Channels: 3 })
        {
            return (SeedImage.Create(), "the fixed 5×5 RGB example image of " + SeedImage.SpecFileName, null);
        }

        SpecData data = DataSources.Load(geometry, dataPath, Splits.Test);
        ImageDataset test = data.RequireTest();
        return (test.ToImage(0), "test image 0 of " + data.Description, geometry.IsConditional && test.HasLabels ? test.Labels[0] : null);
    }
}
