using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using VaeGen.Builder;
using VaeGen.Runtime.Models;
using VaeGen.Runtime.Tensors;
using VaeGen.Spec.Checking;
using VaeGen.Spec.Shapes;
using VaeGen.Testing;
using Xunit;

namespace VaeGen.Onnx.Tests;

/// <summary>One exported model: its spec, the managed model, and the folder with its graphs and weights.</summary>
public sealed record ExportCase(string SpecFile, string SpecPath, ModelPlan Plan, VaeModel Model, string Folder);

/// <summary>
/// Every spec under test, built, given non-trivial batchnorm statistics, put in eval mode and exported
/// once per test run (the exports and one Python process serve all tests).
/// </summary>
public sealed class ExportedModels : IDisposable
{
    /// <summary>
    /// Every shipped spec (whatever specs/ holds), the specs with every layer kind the parity tests use:
    /// parity_layers (v1) and parity_v11 (zero_pad2d, padding: same, nested residual blocks), and
    /// gaussian_learned (reconstruction: gaussian, whose learned log_sigma is a state entry outside any layer
    /// and no part of inference), and condition (a conditional VAE: a second input, labels).
    /// </summary>
    public static readonly TheoryData<string> Specs = new(
        Directory.GetFiles(Repository.Path("specs"), "*.vae.yaml").Select(Path.GetFileName).Order(StringComparer.Ordinal)
            .Concat(["parity_layers.vae.yaml", "parity_v11.vae.yaml", "gaussian_learned.vae.yaml", "condition.vae.yaml"])!);

    private readonly TempFolder _folder = new("vaegen-onnx-");
    private readonly Dictionary<string, ExportCase> _cases = new();
    private readonly Lazy<IReadOnlyDictionary<string, Dictionary<string, string>>> _checks;

    public ExportedModels()
    {
        foreach (string specFile in Specs)
        {
            string specPath = TestSpecs.Path(specFile);
            ModelPlan plan = Plan(specPath);
            VaeModel model = ModelBuilder.Create(plan, seed: 5);
            RandomizeBatchNorm(model, new Random(11));
            model.Eval();
            string folder = Path.Combine(_folder.Path, specFile.Replace(".vae.yaml", string.Empty, StringComparison.Ordinal));
            VaeOnnx.Save(model, plan, folder);
            model.SaveWeights(Path.Combine(folder, "model.safetensors"));
            _cases[specFile] = new ExportCase(specFile, specPath, plan, model, folder);
        }

        _checks = new Lazy<IReadOnlyDictionary<string, Dictionary<string, string>>>(RunPython);
    }

    public ExportCase this[string specFile] => _cases[specFile];

    /// <summary>check.json of each spec's folder, after tools/torch/onnx_reference.py ran once over all of them.</summary>
    public Dictionary<string, string> Checks(string specFile) => _checks.Value[specFile];

    public static ModelPlan Plan(string specPath)
    {
        SpecCheckResult result = SpecChecker.Check(specPath, File.ReadAllBytes(specPath));
        Assert.False(result.HasErrors, specPath + " has errors");
        return result.Plan!;
    }

    /// <summary>
    /// Fresh batchnorm layers have mean 0, variance 1, weight 1 and bias 0, which would hide a graph
    /// that mixes them up or ignores them: give every one of them other values.
    /// </summary>
    public static void RandomizeBatchNorm(VaeModel model, Random random)
    {
        var state = model.StateDict().ToDictionary(s => s.Name);
        foreach (string mean in state.Keys.Where(k => k.EndsWith(".running_mean", StringComparison.Ordinal)).ToList())
        {
            string module = mean[..^".running_mean".Length];
            Fill(state[mean], () => (random.NextSingle() - 0.5f) * 0.4f);
            Fill(state[module + ".running_var"], () => 0.5f + (random.NextSingle() * 1.5f));
            Fill(state[module + ".weight"], () => 0.5f + random.NextSingle());
            Fill(state[module + ".bias"], () => (random.NextSingle() - 0.5f) * 0.2f);
        }
    }

    private static void Fill(StateTensor tensor, Func<float> next)
    {
        for (int i = 0; i < tensor.Float32!.Length; i++)
        {
            tensor.Float32[i] = next();
        }
    }

    private IReadOnlyDictionary<string, Dictionary<string, string>> RunPython()
    {
        var arguments = _cases.Values.SelectMany(c => new[] { c.SpecPath, c.Folder }).ToArray();
        PyTorch.Run("onnx_reference.py", arguments);
        return _cases.ToDictionary(
            c => c.Key,
            c => JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(Path.Combine(c.Value.Folder, "check.json")))!);
    }

    public void Dispose() => _folder.Dispose();
}
