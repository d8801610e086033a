using System;
using System.CommandLine;
using VaeGen.Runtime.Models;
using VaeGen.Runtime.Tensors;
using VaeGen.Tool.Cli;
using VaeGen.Tool.Data;
using VaeGen.Tool.Models;
using VaeGen.Tool.Rendering;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace VaeGen.Tool.Commands;

/// <summary>
/// <c>vaegen interpolate</c>: encodes two test images (z = mu), decodes points on the straight line
/// between them, and writes one strip: the first image, the decoded steps, the second image. A
/// conditional spec's two images must be of one class, which every decoded step is given.
/// </summary>
internal static class InterpolateCommand
{
    /// <summary>The most decoded steps in one strip, which is one row of images.</summary>
    public const int MaxSteps = 256;

    public static Command Create(ToolConsole console)
    {
        var spec = ToolOptions.Spec();
        var weights = ToolOptions.Weights();
        var output = new Option<string>("--out") { Description = "The PNG file to write.", Required = true, HelpName = "file" };
        var data = ToolOptions.Data();
        var steps = ToolOptions.PositiveInt("--steps", "Decoded points from the first image's z to the second's, both ends included; at most " + MaxSteps + ".", 10, maximum: MaxSteps);
        var from = ToolOptions.Index("--from", "Index of the first test image.", 0);
        var to = ToolOptions.Index("--to", "Index of the second test image.", 1, "j");
        var command = new Command("interpolate", "Decode the straight line between the latent means of two test images into a strip of images.")
        {
            spec, weights, output, data, steps, from, to,
        };
        command.SetAction(parse => Run(console, parse.GetRequiredValue(spec), parse.GetRequiredValue(weights), parse.GetRequiredValue(output), parse.GetValue(data),
            parse.GetValue(steps), parse.GetValue(from), parse.GetValue(to)));
        return command;
    }

    private static int Run(ToolConsole console, string specPath, string weightsPath, string output, string? dataPath, int steps, int from, int to)
    {
        SpecFile spec = SpecFile.Load(specPath, console);
        OutputPaths.PrepareFile(output);
        VaeModel model = SpecModelFactory.Create(spec.Plan, 0);
        WeightsFile.LoadInto(model, weightsPath, specPath, console);
        var geometry = InputGeometry.Of(spec.Spec);
        SpecData data = DataSources.Load(geometry, dataPath, Splits.Test);
        var test = new BatchFiller(data.RequireTest(), geometry);
        foreach (var (name, index) in new[] { ("--from", from), ("--to", to) })
        {
            if (index < 0 || index >= test.Count)
            {
                throw new ToolException(name + ": image " + index + " does not exist; the test split of " + data.Description + " has images 0.." + (test.Count - 1));
            }
        }

        // A conditional model interpolates within one class: the label is held fixed while z moves, so both ends must share it.
        int[]? label = null;
        if (test.IsConditional)
        {
            int fromClass = test.Label(from), toClass = test.Label(to);
            if (fromClass != toClass)
            {
                throw new ToolException("--to: test image " + to + " is of class " + toClass + " but image " + from + " (--from) is of class " + fromClass + "; " + spec.Name +
                                        " is conditional, and interpolates between two images of one class: choose --from and --to of the same class");
            }

            label = [fromClass];
        }

        model.Eval();
        int latent = model.Config.LatentDim;
        var ends = new Tensor(2, latent);
        foreach (var (row, index) in new[] { (0, from), (1, to) })
        {
            var (mu, _) = label is null ? model.Encode(test.Take(index, 1)) : model.Encode(test.Take(index, 1), label);
            mu.Span.CopyTo(ends.Span.Slice(row * latent, latent));
        }

        var z = new Tensor(steps, latent);
        for (int s = 0; s < steps; s++)
        {
            float t = steps == 1 ? 0f : s / (float)(steps - 1);
            Span<float> point = z.Span.Slice(s * latent, latent);
            TensorPrimitives.Lerp(ends.Span[..latent], ends.Span[latent..], t, point);
        }

        int[]? labels = null;
        if (label is not null)
        {
            labels = new int[steps];
            Array.Fill(labels, label[0]);
        }

        Tensor decoded = Grids.Decode(model, z, labels);
        Tensor first = test.Take(from, 1), second = test.Take(to, 1);
        int sample = model.Config.SampleLength;
        int[] shape = decoded.Shape.ToArray();
        shape[0] = steps + 2;
        var strip = new Tensor(shape);
        TensorPrimitives.Divide(first.Span, (float)model.Config.Scale, strip.Span[..sample]);
        decoded.Span.CopyTo(strip.Span.Slice(sample, steps * sample));
        TensorPrimitives.Divide(second.Span, (float)model.Config.Scale, strip.Span[((steps + 1) * sample)..]);
        Grids.Save(output, strip, model, Grids.DisplayRange(model, spec.Spec.Input.RangeMin, spec.Spec.Input.RangeMax), columns: steps + 2);
        console.Out.WriteLine(output + ": test images " + from + " and " + to + " with " + steps + " decoded steps between their latent means, " + spec.Name + " from " + weightsPath);
        return ExitCodes.Success;
    }
}
