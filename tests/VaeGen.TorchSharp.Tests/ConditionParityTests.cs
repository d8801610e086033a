extern alias managed;

using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using TorchSharp.PyBridge;
using VaeGen.Runtime.IO;
using VaeGen.Runtime.Tensors;
using VaeGen.Runtime.Models;
using VaeGen.Specs;
using VaeGen.Testing;
using Xunit;
using Xunit.Abstractions;
using TorchTensor = TorchSharp.torch.Tensor;

namespace VaeGen.TorchSharpTests;

/// <summary>
/// A conditional VAE (spec 1.1 <c>condition: { classes: K }</c>) three ways: the generated TorchSharp module (on libtorch
/// 2.10) and the generated managed class, both with PyTorch 1.13's weights, against PyTorch (tools/torch/parity_case.py):
/// same input, eps and labels, one training pass. The terms, every gradient, reconstruction, mu and logvar, and Encode and
/// Decode on their own, agree to a relative error of 1e-4; a label outside 0..K-1 is refused by both classes.
/// </summary>
public sealed class ConditionParityTests(ITestOutputHelper output) : IDisposable
{
    private const double Tolerance = 1e-4;
    private const string SpecFile = "condition.vae.yaml";

    private readonly TempFolder _temp = new("vaegen-ts-condition-");

    [Fact]
    public void TorchSharp_and_managed_agree_with_PyTorch_on_one_labelled_training_pass()
    {
        PyTorch.Run("parity_case.py", TestSpecs.Path(SpecFile), _temp.Path, "--batch", "5", "--seed", "4");
        var expected = SafeTensorsFile.Read(_temp.File("case.safetensors"));
        long[] labels = expected.ReadInt64("labels");
        Assert.Equal(5, labels.Length);
        var errors = new List<(string Name, double Error)>();
        errors.AddRange(TorchSharpPass(expected, labels).Select(e => ("torchsharp " + e.Name, e.Error)));
        errors.AddRange(ManagedPass(expected, labels).Select(e => ("managed " + e.Name, e.Error)));
        foreach (var (name, error) in errors.OrderByDescending(e => e.Error).Take(6))
        {
            output.WriteLine($"{SpecFile}: {name} relative error {error:E2}");
        }

        var failures = errors.Where(e => !(e.Error <= Tolerance)).Select(e => $"{e.Name}: {e.Error:E2}").ToList();
        Assert.True(failures.Count == 0, SpecFile + " differs from PyTorch by more than " + Tolerance + ": " + string.Join("; ", failures));
    }

    private List<(string Name, double Error)> TorchSharpPass(SafeTensorsFile expected, long[] labels)
    {
        using var scope = torch.NewDisposeScope();
        using var model = new ConditionVae();
        model.load_safetensors(_temp.File("weights.safetensors"));
        model.train();
        TorchTensor x = Models.Load(expected, "x");
        TorchTensor eps = Models.Load(expected, "eps");
        TorchTensor y = torch.tensor(labels);
        model.zero_grad();
        var (reconstruction, mu, logVar) = model.forward(x, y, eps);
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
        foreach (var (name, parameter) in model.named_parameters())
        {
            errors.Add(("grad." + name, Compare(expected, "grad." + name, parameter.grad!)));
            parameters++;
        }

        Assert.Equal(expected.Entries.Keys.Count(k => k.StartsWith("grad.", StringComparison.Ordinal)), parameters);
        using (torch.no_grad())
        {
            var (mu2, logVar2) = model.Encode(x, y);
            errors.Add(("Encode mu", Compare(expected, "mu", mu2)));
            errors.Add(("Encode logvar", Compare(expected, "logvar", logVar2)));
            errors.Add(("Decode(z, labels)", Compare(expected, "recon", model.Decode(Models.Load(expected, "z"), y))));

            // The labels matter: other labels give another decoding of the same z.
            Assert.True(RelativeError.Of(Models.Values(model.Decode(Models.Load(expected, "z"), (y + 1) % ConditionVae.ConditionClasses)), expected.ReadFloat32("recon")) > 1e-3);
        }

        return errors;
    }

    private List<(string Name, double Error)> ManagedPass(SafeTensorsFile expected, long[] labels)
    {
        VaeModel model = new managed::VaeGen.Specs.ConditionVae(seed: 99);
        model.LoadWeights(_temp.File("weights.safetensors"));
        int[] y = Array.ConvertAll(labels, l => checked((int)l));
        var x = expected.ReadTensor("x");
        LossTerms terms = model.ComputeGradients(x, y, expected.ReadTensor("eps"));
        var errors = new List<(string Name, double Error)>
        {
            ("loss", RelativeError.Of(new[] { (float)terms.Total, (float)terms.Reconstruction, (float)terms.Kl }, expected.ReadFloat32("loss"))),
        };
        foreach (NamedParameter p in model.NamedParameters())
        {
            errors.Add(("grad." + p.Name, RelativeError.Of(p.Parameter.Grad.Data, expected.ReadFloat32("grad." + p.Name))));
        }

        var (mu, logVar) = model.Encode(x, y);
        errors.Add(("Encode mu", RelativeError.Of(mu.Data, expected.ReadFloat32("mu"))));
        errors.Add(("Encode logvar", RelativeError.Of(logVar.Data, expected.ReadFloat32("logvar"))));
        errors.Add(("Decode(z, labels)", RelativeError.Of(model.Decode(expected.ReadTensor("z"), y).Data, expected.ReadFloat32("recon"))));
        return errors;
    }

    [Fact]
    public void A_label_outside_0_to_K_minus_1_throws_naming_its_index_and_value()
    {
        using var scope = torch.NewDisposeScope();
        using var model = new ConditionVae();
        TorchTensor x = torch.rand(3, 6, 5, 2) * 255;
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => model.forward(x, torch.tensor(new long[] { 0, 3, 4 })));
        Assert.Equal("labels", error.ParamName);
        Assert.Contains("labels[2] is 4, outside 0..3", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => model.Encode(x, torch.tensor(new long[] { -1, 0, 0 })));
        var classes = Assert.Throws<ArgumentOutOfRangeException>(() => model.Sample(new[] { 1, 9 }));
        Assert.Contains("classes[1] is 9", classes.Message, StringComparison.Ordinal);

        // One int64 per sample: an int32 tensor, or too few labels, is refused before one_hot sees it.
        Assert.Throws<ArgumentOutOfRangeException>(() => model.Encode(x, torch.tensor(new[] { 0, 1, 2 })));
        Assert.Throws<ArgumentOutOfRangeException>(() => model.Encode(x, torch.tensor(new long[] { 0, 1 })));
    }

    [Fact]
    public void Sample_draws_one_image_per_class_given()
    {
        using var scope = torch.NewDisposeScope();
        using var model = new ConditionVae();
        model.eval();
        TorchTensor images = model.Sample(new[] { 0, 1, 2, 3, 3, 0 });
        Assert.Equal(new long[] { 6, 6, 5, 2 }, images.shape);
        Assert.True(images.min().item<float>() >= 0 && images.max().item<float>() <= 1); // bce_logits: probabilities
    }

    private static double Compare(SafeTensorsFile expected, string name, TorchTensor actual) => RelativeError.Of(Models.Values(actual), expected.ReadFloat32(name));

    public void Dispose() => _temp.Dispose();
}
