using System;
using System.Collections.Generic;
using VaeGen.Runtime.IO;
using VaeGen.Runtime.Layers;
using VaeGen.Runtime.Layers.Activations;
using VaeGen.Runtime.Tensors;
using Xunit;
using Xunit.Abstractions;

namespace VaeGen.Runtime.Tests;

/// <summary>
/// Compares every layer with PyTorch 1.13 on fixtures from tools/torch/make_layer_fixtures.py
/// (same case names and configurations as its CASES list). Tolerance: relative error 1e-4 as
/// defined by <see cref="TestUtil.AssertClose"/>.
/// </summary>
public sealed class TorchParityTests
{
    private const double Tolerance = 1e-4;
    private readonly ITestOutputHelper _log;

    public TorchParityTests(ITestOutputHelper log) => _log = log;
    private static readonly Lazy<SafeTensorsFile> Fixtures = new(() => SafeTensorsFile.Read(TestUtil.FixturePath("layers.safetensors")));

    public static TheoryData<string> CaseNames()
    {
        var data = new TheoryData<string>();
        foreach (string name in Factories.Keys)
        {
            data.Add(name);
        }

        return data;
    }

    private static readonly Dictionary<string, Func<Layer>> Factories = new()
    {
        ["conv_s2x1_p1x2_d1x2"] = () => new Conv2d(3, 4, new Size2d(3, 2), stride: new Size2d(2, 1), padding: new Size2d(1, 2), dilation: new Size2d(1, 2)),
        ["conv_1x1_nobias"] = () => new Conv2d(4, 3, 1, bias: false),
        ["conv_k3_s1_p1"] = () => new Conv2d(2, 5, 3, padding: 1),
        ["convT_s2x3_p1_op1x2"] = () => new ConvTranspose2d(3, 2, new Size2d(3, 4), stride: new Size2d(2, 3), padding: 1, outputPadding: new Size2d(1, 2)),
        ["convT_d2_op1_nobias"] = () => new ConvTranspose2d(2, 3, 3, stride: 1, padding: 1, outputPadding: 1, dilation: 2, bias: false),
        ["convT_k4_s2_p1"] = () => new ConvTranspose2d(4, 2, 4, stride: 2, padding: 1),
        ["maxpool_k3_s2_p1_ceil"] = () => new MaxPool2d(3, stride: 2, padding: 1, ceilMode: true),
        ["maxpool_k2x3_d2_p1"] = () => new MaxPool2d(new Size2d(2, 3), stride: new Size2d(1, 2), padding: 1, dilation: new Size2d(2, 1)),
        ["avgpool_k3_s2_p1_ceil"] = () => new AvgPool2d(3, stride: 2, padding: 1, ceilMode: true),
        ["avgpool_k3_s2_p1_ceil_nopad"] = () => new AvgPool2d(3, stride: 2, padding: 1, ceilMode: true, countIncludePad: false),
        ["avgpool_k2"] = () => new AvgPool2d(2),
        ["upsample_nearest_x2"] = () => new Upsample(2, 2, UpsampleMode.Nearest),
        ["upsample_nearest_x1_5"] = () => new Upsample(1.5, 1.5, UpsampleMode.Nearest),
        ["upsample_bilinear_x2"] = () => new Upsample(2, 2, UpsampleMode.Bilinear),
        ["upsample_bilinear_size7x5"] = () => new Upsample(new Size2d(7, 5), UpsampleMode.Bilinear),
        ["linear_5_3"] = () => new Linear(5, 3),
        ["linear_7_2_nobias"] = () => new Linear(7, 2, bias: false),
        ["bn1d_train"] = () => new BatchNorm1d(5),
        ["bn2d_train"] = () => new BatchNorm2d(3),
        ["bn2d_eval"] = () => new BatchNorm2d(3),
        ["relu"] = () => new ReLU(),
        ["sigmoid"] = () => new Sigmoid(),
        ["tanh"] = () => new Tanh(),
        ["gelu"] = () => new GELU(),
        ["silu"] = () => new SiLU(),
        ["elu"] = () => new ELU(),
        ["leaky_relu_0_2"] = () => new LeakyReLU(0.2f),
    };

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void MatchesPyTorch(string name)
    {
        SafeTensorsFile f = Fixtures.Value;
        Layer layer = Factories[name]();
        if (name.EndsWith("_eval", StringComparison.Ordinal))
        {
            layer.Eval();
        }

        foreach (NamedParameter p in layer.NamedParameters())
        {
            f.CopyFloat32($"{name}.{p.Name}", p.Parameter.Value.Span);
        }

        if (layer is BatchNorm bn)
        {
            f.CopyFloat32($"{name}.running_mean_before", bn.RunningMean.Span);
            f.CopyFloat32($"{name}.running_var_before", bn.RunningVar.Span);
            f.CopyInt64($"{name}.num_batches_tracked_before", bn.NumBatchesTracked);
        }

        Tensor input = f.ReadTensor($"{name}.input");
        Tensor output = layer.Forward(input);
        Assert.Equal(f.Get($"{name}.output").Shape.ToArray(), output.Shape.ToArray());
        Close(f.ReadFloat32($"{name}.output"), output.Span, Tolerance, $"{name} output");

        Tensor gradInput = layer.Backward(f.ReadTensor($"{name}.grad_output"));
        Close(f.ReadFloat32($"{name}.grad_input"), gradInput.Span, Tolerance, $"{name} grad_input");
        foreach (NamedParameter p in layer.NamedParameters())
        {
            Close(f.ReadFloat32($"{name}.grad_{p.Name}"), p.Parameter.Grad.Span, Tolerance, $"{name} grad_{p.Name}");
        }

        if (layer is BatchNorm norm)
        {
            Close(f.ReadFloat32($"{name}.running_mean"), norm.RunningMean.Span, Tolerance, $"{name} running_mean");
            Close(f.ReadFloat32($"{name}.running_var"), norm.RunningVar.Span, Tolerance, $"{name} running_var");
            Assert.Equal(f.ReadInt64($"{name}.num_batches_tracked"), norm.NumBatchesTracked);
        }
    }

    [Fact]
    public void EveryFixtureCaseIsTested()
    {
        var cases = new HashSet<string>();
        foreach (string key in Fixtures.Value.Entries.Keys)
        {
            if (key.EndsWith(".input", StringComparison.Ordinal))
            {
                cases.Add(key[..^".input".Length]);
            }
        }

        Assert.Equal(cases, new HashSet<string>(Factories.Keys));
    }

    private void Close(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double tol, string what) =>
        _log.WriteLine($"{what}: max relative error {TestUtil.AssertClose(expected, actual, tol, what):E2}");
}
