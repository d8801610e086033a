using System.Collections.Generic;
using TorchSharp;
using VaeGen.Testing;
using Xunit;
using static TorchSharp.torch;

namespace VaeGen.TorchSharpTests.Native;

/// <summary>
/// libtorch's float32 convolution gradients against its float64 ones (which do not go through oneDNN), for the small
/// layers of the parity specs: what <see cref="OneDnnIsa"/> is for. Without it these fail on the Zen 5 development VM.
/// </summary>
public sealed class OneDnnConvolutionTests
{
    public static TheoryData<int, int, int, int, int, int, int> Layers => new()
    {
        // kernel h, w; padding h, w; in, out channels; dilation
        { 3, 1, 1, 0, 4, 3, 1 },
        { 3, 3, 1, 1, 4, 3, 1 },
        { 1, 3, 0, 1, 4, 3, 1 },
        { 2, 3, 0, 0, 2, 2, 1 },
        { 3, 3, 2, 2, 2, 2, 2 },
        { 3, 3, 1, 1, 32, 32, 1 },
    };

    [Fact]
    public void The_test_process_limits_oneDNN_before_libtorch_starts() =>
        Assert.NotNull(OneDnnIsa.NativeValue());

    [Theory]
    [MemberData(nameof(Layers))]
    public void Float32_gradients_agree_with_float64(int kh, int kw, int ph, int pw, int cin, int cout, int dilation)
    {
        using var scope = torch.NewDisposeScope();
        foreach (int threads in new[] { 1, 2 })
        {
            torch.set_num_threads(threads);
            torch.manual_seed(1);
            Tensor x = torch.randn(4, cin, 12, 10, dtype: float64);
            Tensor w = torch.randn(cout, cin, kh, kw, dtype: float64);
            Tensor gy = torch.randn_like(Conv(x, w));
            var (gx64, gw64) = Gradients(float64);
            var (gx32, gw32) = Gradients(float32);
            double inputError = RelativeError.Of(gx32, gx64), weightError = RelativeError.Of(gw32, gw64);
            Assert.True(inputError < 1e-5, $"input gradient, {threads} threads: relative error {inputError:E2}");
            Assert.True(weightError < 1e-5, $"weight gradient, {threads} threads: relative error {weightError:E2}");

            // Both as float32 values, the float64 ones rounded once at the end (7e-8 of relative error at most).
            (float[] X, float[] W) Gradients(ScalarType type)
            {
                Tensor xx = x.to_type(type).detach().requires_grad_(true);
                Tensor ww = w.to_type(type).detach().requires_grad_(true);
                Conv(xx, ww).backward(new List<Tensor> { gy.to_type(type) });
                return (Models.Values(xx.grad!.to_type(float32)), Models.Values(ww.grad!.to_type(float32)));
            }
        }

        Tensor Conv(Tensor input, Tensor weight) =>
            torch.nn.functional.conv2d(input, weight, padding: new long[] { ph, pw }, dilation: new long[] { dilation, dilation });
    }
}
