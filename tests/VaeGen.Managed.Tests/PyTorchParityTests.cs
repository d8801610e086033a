using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using VaeGen.Runtime.IO;
using VaeGen.Runtime.Layers;
using VaeGen.Runtime.Models;
using VaeGen.Runtime.Tensors;
using VaeGen.Testing;
using Xunit;
using Xunit.Abstractions;

namespace VaeGen.Managed.Tests;

/// <summary>
/// Each generated class against the same model in PyTorch 1.13 (tools/torch/parity_case.py): same
/// weights (PyTorch's, through safetensors), same input, same eps; one training pass. The
/// reconstruction, mu, logvar, the three loss terms, every parameter's gradient and every
/// state_dict entry afterwards (batchnorm statistics) must agree to a relative error of 1e-4,
/// where the relative error of a tensor is max|ours - theirs| / max|theirs|.
/// </summary>
public sealed class PyTorchParityTests(ITestOutputHelper output) : IDisposable
{
    private const double Tolerance = 1e-4;

    private readonly TempFolder _folder = new("vaegen-parity-");

    public static readonly TheoryData<string> Specs = new()
    {
        "seed000.vae.yaml", "fashion_mlp.vae.yaml", "fashion_conv.vae.yaml", "seed002_rgb64.vae.yaml", "parity_layers.vae.yaml", "init_schemes.vae.yaml", "parity_v11.vae.yaml",
        "gaussian_learned.vae.yaml", "gaussian_fixed.vae.yaml", "kl_warmup.vae.yaml", "kl_capacity.vae.yaml", "condition.vae.yaml",
    };

    [PyTorchTheory]
    [MemberData(nameof(Specs))]
    public void One_training_pass_matches_PyTorch(string specFile)
    {
        // The parity specs have dropout, whose masks no two implementations share: their dropout layers alone run in evaluation mode on both sides.
        bool evalDropout = specFile is "parity_layers.vae.yaml" or "parity_v11.vae.yaml";
        var arguments = new List<string> { TestSpecs.Path(specFile), _folder.Path, "--batch", "4", "--seed", "3" };
        if (evalDropout)
        {
            arguments.Add("--eval-dropout");
        }

        // A kl schedule is compared mid-schedule, at t = 3 optimizer steps (C_3 = 1.5 nats, a warm-up weight of 0.6).
        int step = specFile.StartsWith("kl_", StringComparison.Ordinal) ? 3 : 0;
        arguments.AddRange(new[] { "--step", step.ToString(System.Globalization.CultureInfo.InvariantCulture) });

        // A learned sigma starts at log_sigma 0; 0.3 exercises the soft floor's softplus and its slope.
        if (specFile == "gaussian_learned.vae.yaml")
        {
            arguments.AddRange(new[] { "--log-sigma", "0.3" });
        }

        PyTorch.Run("parity_case.py", arguments.ToArray());
        var model = Models.Create(specFile, seed: 99);
        model.LoadWeights(_folder.File("weights.safetensors"));

        // t steps with a learning rate of 0: the optimizer counts them, the weights stay PyTorch's.
        model.UseAdam(learningRate: 0);
        for (int i = 0; i < step; i++)
        {
            model.Optimizer.Step();
        }
        if (evalDropout)
        {
            foreach (Layer dropout in AllLayers(model).Where(l => l is Dropout))
            {
                dropout.Eval();
            }
        }

        var expected = SafeTensorsFile.Read(_folder.File("case.safetensors"));
        Tensor x = expected.ReadTensor("x");
        Tensor eps = expected.ReadTensor("eps");

        // A conditional spec's case holds the labels PyTorch drew; they go next to the batch in every call.
        int[]? labels = expected.Entries.ContainsKey("labels") ? Array.ConvertAll(expected.ReadInt64("labels"), l => checked((int)l)) : null;
        Assert.Equal(model.Classes > 0, labels is not null);
        LossTerms terms = labels is null ? model.ComputeGradients(x, eps) : model.ComputeGradients(x, labels, eps);
        var worst = new List<(string Name, double Error)>();
        float[] loss = expected.ReadFloat32("loss");
        worst.Add(("loss.total", RelativeError.Of(new[] { (float)terms.Total }, new[] { loss[0] })));
        worst.Add(("loss.reconstruction", RelativeError.Of(new[] { (float)terms.Reconstruction }, new[] { loss[1] })));
        worst.Add(("loss.kl", RelativeError.Of(new[] { (float)terms.Kl }, new[] { loss[2] })));
        foreach (NamedParameter p in model.NamedParameters())
        {
            worst.Add(("grad." + p.Name, Compare(expected, "grad." + p.Name, p.Parameter.Grad.Data)));
        }

        foreach (StateTensor s in model.StateDict())
        {
            worst.Add(("state." + s.Name, s.Float32 is not null
                ? Compare(expected, "state." + s.Name, s.Float32)
                : expected.ReadInt64("state." + s.Name).SequenceEqual(s.Int64!) ? 0 : double.PositiveInfinity));
        }

        // The outputs come from a second pass with the same weights (no step was taken); it runs after the
        // state comparison because in training mode it moves batchnorm's running statistics again.
        var (reconstruction, mu, logVar) = labels is null ? model.Forward(x, eps) : model.Forward(x, labels, eps);
        worst.Add(("recon", Compare(expected, "recon", reconstruction.Data)));
        worst.Add(("mu", Compare(expected, "mu", mu.Data)));
        worst.Add(("logvar", Compare(expected, "logvar", logVar.Data)));

        foreach (var (name, error) in worst.OrderByDescending(w => w.Error).Take(5))
        {
            output.WriteLine($"{specFile}: {name} relative error {error:E2}");
        }

        var failures = worst.Where(w => !(w.Error <= Tolerance)).Select(w => $"{w.Name}: {w.Error:E2}").ToList();
        Assert.True(failures.Count == 0, specFile + " differs from PyTorch by more than " + Tolerance + ": " + string.Join("; ", failures));
        Assert.Equal(model.NamedParameters().Count, expected.Entries.Keys.Count(k => k.StartsWith("grad.", StringComparison.Ordinal)));
    }

    private static IEnumerable<Layer> AllLayers(VaeModel model) => model.Encoder.Modules().Concat(model.Decoder.Modules());

    private static double Compare(SafeTensorsFile file, string name, float[] actual)
    {
        float[] expected = file.ReadFloat32(name);
        Assert.True(expected.Length == actual.Length, $"{name}: PyTorch has {expected.Length} values, the managed model {actual.Length}");
        return RelativeError.Of(actual, expected);
    }

    public void Dispose() => _folder.Dispose();
}
