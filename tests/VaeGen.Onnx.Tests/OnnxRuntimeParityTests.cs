using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using VaeGen.Runtime.Models;
using VaeGen.Runtime.Tensors;
using VaeGen.Testing;
using Xunit;
using Xunit.Abstractions;

namespace VaeGen.Onnx.Tests;

/// <summary>
/// ONNX Runtime 1.31.1 running the exported graphs gives the managed model's outputs on the same batch,
/// within 1e-5 relative (max |ort - managed| / max |managed|): mu and logvar from encoder.onnx, the
/// reconstruction given z from decoder.onnx, all three given eps from vae.onnx.
/// </summary>
public sealed class OnnxRuntimeParityTests(ExportedModels models, ITestOutputHelper output) : IClassFixture<ExportedModels>
{
    private const double Tolerance = 1e-5;

    [Theory]
    [MemberData(nameof(ExportedModels.Specs), MemberType = typeof(ExportedModels))]
    public void ONNX_Runtime_gives_the_managed_models_outputs(string specFile)
    {
        ExportCase c = models[specFile];
        var inputs = new Inputs(c);
        VaeModel model = c.Model;
        var errors = new List<(string Name, double Error)>();

        bool conditional = model.Classes > 0;
        var (mu, logVar) = conditional ? model.Encode(inputs.XTensor, inputs.Labels) : model.Encode(inputs.XTensor);
        float[] managedMu = mu.Data.ToArray(), managedLogVar = logVar.Data.ToArray();
        var encoder = Ort.Run(Path.Combine(c.Folder, "encoder.onnx"), [("x", inputs.X, inputs.XShape), .. inputs.LabelFeed]);
        errors.Add(("encoder mu", RelativeError.Of(encoder["mu"], managedMu)));
        errors.Add(("encoder logvar", RelativeError.Of(encoder["logvar"], managedLogVar)));

        var z = new Tensor((float[])inputs.Z.Clone(), inputs.LatentShape);
        float[] managedDecoded = Inputs.Reconstruction(model, conditional ? model.Decode(z, inputs.Labels) : model.Decode(z));
        var decoder = Ort.Run(Path.Combine(c.Folder, "decoder.onnx"), [("z", inputs.Z, inputs.LatentShape), .. inputs.LabelFeed]);
        errors.Add(("decoder reconstruction", RelativeError.Of(decoder["reconstruction"], managedDecoded)));

        var eps = new Tensor((float[])inputs.Eps.Clone(), inputs.LatentShape);
        var (reconstruction, fullMu, fullLogVar) = conditional ? model.Forward(inputs.XTensor, inputs.Labels, eps) : model.Forward(inputs.XTensor, eps);
        float[] managedReconstruction = Inputs.Reconstruction(model, reconstruction);
        var vae = Ort.Run(Path.Combine(c.Folder, "vae.onnx"), [("x", inputs.X, inputs.XShape), .. inputs.LabelFeed, ("eps", inputs.Eps, inputs.LatentShape)]);
        errors.Add(("vae reconstruction", RelativeError.Of(vae["reconstruction"], managedReconstruction)));
        errors.Add(("vae mu", RelativeError.Of(vae["mu"], fullMu.Data)));
        errors.Add(("vae logvar", RelativeError.Of(vae["logvar"], fullLogVar.Data)));

        foreach (var (name, error) in errors)
        {
            output.WriteLine($"{specFile} {name}: relative error {error:E2}");
        }

        Assert.Equal(inputs.XShape.Aggregate(1, (a, b) => a * b), vae["reconstruction"].Length);
        var failures = errors.Where(e => !(e.Error <= Tolerance)).Select(e => $"{e.Name} {e.Error:E2}").ToList();
        Assert.True(failures.Count == 0, specFile + ": ONNX Runtime differs from the managed model by more than " + Tolerance + ": " + string.Join("; ", failures));
    }

    /// <summary>
    /// What README.md says of a label outside 0..K-1 in the graphs: ONNX cannot fail on it, so OneHot maps -1 to K-1
    /// and K to a row of zeros. Three rows of one z: the first two decode alike, the third not.
    /// </summary>
    [Fact]
    public void A_label_outside_the_classes_is_not_an_error_in_the_graphs_as_the_readme_warns()
    {
        ExportCase c = models["condition.vae.yaml"];
        int classes = c.Model.Classes, latent = c.Model.Config.LatentDim;
        var inputs = new Inputs(c);
        float[] z = [.. inputs.Z.AsSpan(0, latent), .. inputs.Z.AsSpan(0, latent), .. inputs.Z.AsSpan(0, latent)];
        float[] decoded = Ort.Run(Path.Combine(c.Folder, "decoder.onnx"), ("z", z, [3, latent]), ("labels", new long[] { -1, classes - 1, classes }, [3]))["reconstruction"];
        int row = decoded.Length / 3;
        Assert.True(decoded.AsSpan(0, row).SequenceEqual(decoded.AsSpan(row, row)), "label -1 decodes as K-1");
        Assert.False(decoded.AsSpan(row, row).SequenceEqual(decoded.AsSpan(2 * row, row)), "label K decodes as a row of zeros, not as K-1");
    }
}
