using System.Collections.Generic;
using System.IO;
using System.Linq;
using VaeGen.Testing;
using Xunit;
using Xunit.Abstractions;

namespace VaeGen.Onnx.Tests;

/// <summary>
/// The references outside VaeGen, from one Python process over every spec (tools/torch/onnx_reference.py):
/// ONNX 1.12's checker with full_check passes all three graphs, and PyTorch 1.13's own
/// torch.onnx.export of the same weights gives the same ONNX Runtime outputs as ours.
/// </summary>
public sealed class PyTorchExportTests(ExportedModels models, ITestOutputHelper output) : IClassFixture<ExportedModels>
{
    private const double Tolerance = 1e-5;

    [PyTorchTheory]
    [MemberData(nameof(ExportedModels.Specs), MemberType = typeof(ExportedModels))]
    public void The_ONNX_checker_passes_every_graph(string specFile)
    {
        Dictionary<string, string> checks = models.Checks(specFile);
        foreach (var (graph, result) in checks)
        {
            output.WriteLine($"{specFile} {graph}: {result}");
        }

        foreach (string graph in new[] { "encoder.onnx", "decoder.onnx", "vae.onnx" })
        {
            Assert.True(checks.TryGetValue(graph, out string? result) && result == "ok", specFile + " " + graph + ": " + result);
        }
    }

    [PyTorchTheory]
    [MemberData(nameof(ExportedModels.Specs), MemberType = typeof(ExportedModels))]
    public void PyTorchs_export_of_the_same_weights_gives_the_same_outputs(string specFile)
    {
        models.Checks(specFile);
        ExportCase c = models[specFile];
        var inputs = new Inputs(c);
        string torch = Path.Combine(c.Folder, "torch");
        var errors = new List<(string Name, double Error)>();
        (string, System.Array, int[]) x = ("x", inputs.X, inputs.XShape);
        (string, System.Array, int[]) z = ("z", inputs.Z, inputs.LatentShape);
        (string, System.Array, int[]) eps = ("eps", inputs.Eps, inputs.LatentShape);
        Compare("encoder.onnx", [x, .. inputs.LabelFeed], ["mu", "logvar"]);
        Compare("decoder.onnx", [z, .. inputs.LabelFeed], ["reconstruction"]);
        Compare("vae.onnx", [x, .. inputs.LabelFeed, eps], ["reconstruction", "mu", "logvar"]);

        foreach (var (name, error) in errors)
        {
            output.WriteLine($"{specFile} {name}: relative error {error:E2}");
        }

        var failures = errors.Where(e => !(e.Error <= Tolerance)).Select(e => $"{e.Name} {e.Error:E2}").ToList();
        Assert.True(failures.Count == 0, specFile + ": PyTorch's ONNX export and ours differ in ONNX Runtime by more than " + Tolerance + ": " + string.Join("; ", failures));

        void Compare(string graph, (string, System.Array, int[])[] feed, string[] outputs)
        {
            var ours = Ort.Run(Path.Combine(c.Folder, graph), feed);
            var theirs = Ort.Run(Path.Combine(torch, graph), feed);
            foreach (string name in outputs)
            {
                errors.Add((graph + " " + name, RelativeError.Of(ours[name], theirs[name])));
            }
        }
    }
}
