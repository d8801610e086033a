using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using TorchSharp;
using VaeGen.Testing;
using VaeGen.Runtime.IO;
using VaeGen.Runtime.Layers;
using VaeGen.Runtime.Models;
using VaeGen.Runtime.Tensors;
using TorchSharp.PyBridge;
using Xunit;
using Xunit.Abstractions;
using TorchTensor = TorchSharp.torch.Tensor;

namespace VaeGen.TorchSharpTests;

/// <summary>
/// Three ways: the generated TorchSharp module (on libtorch 2.10) and the generated managed class of each spec, both with
/// PyTorch 1.13's weights, against PyTorch 1.13 (tools/torch/parity_case.py): same input, same eps, one training pass.
/// Encode (mu, logvar), Decode of PyTorch's z, the three loss terms, every parameter's gradient after backward and every
/// state_dict entry afterwards (batchnorm statistics) agree to a relative error of 1e-4 (max|ours - theirs| / max|theirs|).
/// The conditional spec (condition.vae.yaml) runs the same pass with PyTorch's labels next to the batch.
/// </summary>
public sealed class PyTorchParityTests(ITestOutputHelper output) : IDisposable
{
    private const double Tolerance = 1e-4;

    private readonly TempFolder _temp = new("vaegen-ts-parity-");

    public static TheoryData<string> Specs => new(((IEnumerable<object[]>)Models.Specs).Select(row => (string)row[0]).Append(ConditionSpec));

    private const string ConditionSpec = "condition.vae.yaml";

    [Theory]
    [MemberData(nameof(Specs))]
    public void TorchSharp_and_managed_agree_with_PyTorch_on_one_training_pass(string specFile)
    {
        // The parity specs have dropout, whose masks no two implementations share: their dropout layers alone run in evaluation mode everywhere.
        bool evalDropout = specFile is "parity_layers.vae.yaml" or "parity_v11.vae.yaml";
        var arguments = new List<string> { TestSpecs.Path(specFile), _temp.Path, "--batch", "4", "--seed", "3" };
        if (evalDropout)
        {
            arguments.Add("--eval-dropout");
        }

        // A learned sigma starts at log_sigma 0; 0.3 exercises the soft floor's softplus and its slope.
        if (specFile == "gaussian_learned.vae.yaml")
        {
            arguments.AddRange(new[] { "--log-sigma", "0.3" });
        }

        PyTorch.Run("parity_case.py", arguments.ToArray());
        string weights = _temp.File("weights.safetensors");
        var expected = SafeTensorsFile.Read(_temp.File("case.safetensors"));
        var errors = new List<(string Name, double Error)>();

        errors.AddRange(TorchSharpPass(specFile, weights, expected, evalDropout).Select(e => ("torchsharp " + e.Name, e.Error)));
        errors.AddRange(ManagedPass(specFile, weights, expected, evalDropout).Select(e => ("managed " + e.Name, e.Error)));

        foreach (var (name, error) in errors.OrderByDescending(e => e.Error).Take(6))
        {
            output.WriteLine($"{specFile}: {name} relative error {error:E2}");
        }

        var failures = errors.Where(e => !(e.Error <= Tolerance)).Select(e => $"{e.Name}: {e.Error:E2}").ToList();
        Assert.True(failures.Count == 0, specFile + " differs from PyTorch by more than " + Tolerance + ": " + string.Join("; ", failures));
    }

    private static List<(string Name, double Error)> TorchSharpPass(string specFile, string weights, SafeTensorsFile expected, bool evalDropout)
    {
        using var scope = torch.NewDisposeScope();
        using var model = specFile == ConditionSpec ? new LabelledVae(new VaeGen.Specs.ConditionVae(), torch.tensor(expected.ReadInt64("labels"))) : Models.CreateTorchSharp(specFile);
        torch.nn.Module module = model.Module;
        module.load_safetensors(weights);
        module.train();
        if (evalDropout)
        {
            foreach (var (_, child) in module.named_modules())
            {
                if (child is TorchSharp.Modules.Dropout dropout)
                {
                    dropout.eval();
                }
            }
        }

        TorchTensor x = Models.Load(expected, "x");
        TorchTensor eps = Models.Load(expected, "eps");
        module.zero_grad();
        var (reconstruction, mu, logVar) = model.forward(x, eps);
        var (total, recon, kl) = model.Loss(x, reconstruction, mu, logVar);
        total.backward();

        var errors = new List<(string Name, double Error)>
        {
            ("loss", RelativeError.Of(new[] { total.item<float>(), recon.item<float>(), kl.item<float>() }, expected.ReadFloat32("loss"))),
            ("recon", Compare(expected, "recon", reconstruction)),
            ("mu", Compare(expected, "mu", mu)),
            ("logvar", Compare(expected, "logvar", logVar)),
        };
        int parameters = 0;
        foreach (var (name, parameter) in module.named_parameters())
        {
            errors.Add(("grad." + name, Compare(expected, "grad." + name, parameter.grad!)));
            parameters++;
        }

        Assert.Equal(expected.Entries.Keys.Count(k => k.StartsWith("grad.", StringComparison.Ordinal)), parameters);
        foreach (var (name, buffer) in module.named_buffers())
        {
            errors.Add(("state." + name, buffer.dtype == torch.int64
                ? (expected.ReadInt64("state." + name).SequenceEqual(buffer.data<long>().ToArray()) ? 0 : double.PositiveInfinity)
                : Compare(expected, "state." + name, buffer)));
        }

        // Encode and Decode on their own, after the state comparison (in training mode each pass moves batchnorm's statistics).
        using (torch.no_grad())
        {
            var (mu2, logVar2) = model.Encode(x);
            errors.Add(("Encode mu", Compare(expected, "mu", mu2)));
            errors.Add(("Encode logvar", Compare(expected, "logvar", logVar2)));
            errors.Add(("Decode(z)", Compare(expected, "recon", model.Decode(Models.Load(expected, "z")))));
        }

        return errors;
    }

    private static List<(string Name, double Error)> ManagedPass(string specFile, string weights, SafeTensorsFile expected, bool evalDropout)
    {
        VaeModel model = Models.CreateManaged(specFile, seed: 99);
        model.LoadWeights(weights);
        if (evalDropout)
        {
            foreach (Layer dropout in model.Encoder.Modules().Concat(model.Decoder.Modules()).Where(l => l is Dropout))
            {
                dropout.Eval();
            }
        }

        var x = expected.ReadTensor("x");
        var eps = expected.ReadTensor("eps");
        int[]? labels = specFile == ConditionSpec ? Array.ConvertAll(expected.ReadInt64("labels"), l => checked((int)l)) : null;
        LossTerms terms = labels is null ? model.ComputeGradients(x, eps) : model.ComputeGradients(x, labels, eps);
        var errors = new List<(string Name, double Error)>
        {
            ("loss", RelativeError.Of(new[] { (float)terms.Total, (float)terms.Reconstruction, (float)terms.Kl }, expected.ReadFloat32("loss"))),
        };
        foreach (NamedParameter p in model.NamedParameters())
        {
            errors.Add(("grad." + p.Name, RelativeError.Of(p.Parameter.Grad.Data, expected.ReadFloat32("grad." + p.Name))));
        }

        var (mu, logVar) = labels is null ? model.Encode(x) : model.Encode(x, labels);
        errors.Add(("Encode mu", RelativeError.Of(mu.Data, expected.ReadFloat32("mu"))));
        errors.Add(("Encode logvar", RelativeError.Of(logVar.Data, expected.ReadFloat32("logvar"))));
        var z = expected.ReadTensor("z");
        errors.Add(("Decode(z)", RelativeError.Of((labels is null ? model.Decode(z) : model.Decode(z, labels)).Data, expected.ReadFloat32("recon"))));
        return errors;
    }

    private static double Compare(SafeTensorsFile expected, string name, TorchTensor actual) => RelativeError.Of(Models.Values(actual), expected.ReadFloat32(name));

    public void Dispose() => _temp.Dispose();
}
