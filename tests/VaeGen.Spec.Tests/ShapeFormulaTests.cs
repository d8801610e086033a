using System;
using VaeGen.Shapes;
using Xunit;

namespace VaeGen.Spec.Tests;

/// <summary>
/// <see cref="ShapeFormulas"/> against PyTorch. The expected numbers come from PyTorch 1.13
/// (Debian python3-torch) with this snippet; for the sizes an error reports (pool/convT output
/// below 1) the number is the one printed in the "Calculated output size" text:
/// <code>
/// import torch, torch.nn as nn, re
/// def size(mod, h):
///     try: return mod(torch.zeros(1, 1, h, h)).shape[-1]
///     except RuntimeError as e:
///         m = re.search(r"Calculated output size: \(1x(-?\d+)x", str(e)) or re.search(r"Calculated output size per channel: \((-?\d+) x", str(e))
///         return int(m.group(1))
/// size(nn.Conv2d(1, 1, k, stride=s, padding=p, dilation=d), n)
/// size(nn.ConvTranspose2d(1, 1, k, stride=s, padding=p, output_padding=op, dilation=d), n)
/// size(nn.MaxPool2d(k, stride=s, padding=p, dilation=d, ceil_mode=c), n)
/// </code>
/// </summary>
public class ShapeFormulaTests
{
    [Theory]
    [InlineData(8, 3, 1, 1, 1, 8)]
    [InlineData(28, 4, 2, 1, 1, 14)]
    [InlineData(5, 3, 2, 0, 1, 2)]
    [InlineData(7, 3, 2, 1, 2, 3)]
    [InlineData(10, 5, 3, 2, 1, 4)]
    [InlineData(64, 4, 2, 1, 1, 32)]
    [InlineData(9, 2, 4, 0, 3, 2)]
    public void Convolution_matches_Conv2d(long input, long kernel, long stride, long padding, long dilation, long expected) =>
        Assert.Equal(expected, ShapeFormulas.Convolution(input, kernel, stride, padding, dilation));

    [Theory]
    [InlineData(4, 4, 2, 1, 0, 1, 8)]
    [InlineData(7, 4, 2, 1, 0, 1, 14)]
    [InlineData(4, 3, 2, 1, 1, 1, 8)]
    [InlineData(5, 3, 3, 2, 2, 1, 13)]
    [InlineData(3, 3, 1, 0, 0, 2, 7)]
    [InlineData(2, 5, 3, 4, 1, 2, 5)]
    [InlineData(4, 4, 2, 5, 0, 1, 0)] // "Calculated output size per channel: (0 x 0). Output size is too small"
    public void TransposedConvolution_matches_ConvTranspose2d(long input, long kernel, long stride, long padding, long outputPadding, long dilation, long expected) =>
        Assert.Equal(expected, ShapeFormulas.TransposedConvolution(input, kernel, stride, padding, outputPadding, dilation));

    [Theory]
    [InlineData(8, 2, 2, 0, false, 1, 4)]
    [InlineData(7, 2, 2, 0, false, 1, 3)]
    [InlineData(7, 2, 2, 0, true, 1, 4)]
    [InlineData(5, 2, 2, 1, true, 1, 3)]  // ceil gives 4, but the 4th window would start in the right padding
    [InlineData(3, 2, 2, 1, true, 1, 2)]  // the same correction: 3 -> 2
    [InlineData(2, 2, 3, 1, true, 1, 1)]  // and again: 2 -> 1
    [InlineData(6, 3, 2, 1, true, 1, 4)]
    [InlineData(6, 2, 2, 1, true, 1, 4)]  // the last window starts inside the input: no correction
    [InlineData(10, 3, 3, 1, true, 1, 4)]
    [InlineData(5, 3, 3, 0, true, 1, 2)]
    [InlineData(1, 2, 2, 0, false, 1, 0)] // "Calculated output size: (1x0x0)": floor(-1 / 2) = -1, not 0
    [InlineData(1, 2, 2, 0, true, 1, 1)]
    [InlineData(1, 3, 1, 0, false, 1, -1)] // "Calculated output size: (1x-1x-1)"
    [InlineData(9, 3, 2, 1, true, 2, 4)]
    [InlineData(10, 2, 3, 1, false, 3, 3)]
    [InlineData(4, 2, 2, 1, true, 2, 3)]
    public void Pooling_matches_MaxPool2d(long input, long kernel, long stride, long padding, bool ceilMode, long dilation, long expected) =>
        Assert.Equal(expected, ShapeFormulas.Pooling(input, kernel, stride, padding, ceilMode, dilation));

    [Theory]
    [InlineData(7, 2, 3)]
    [InlineData(-1, 2, -1)]
    [InlineData(-8, 16, -1)]
    [InlineData(-16, 16, -1)]
    [InlineData(-17, 16, -2)]
    [InlineData(0, 3, 0)]
    [InlineData(7, -2, -4)]
    [InlineData(-7, -2, 3)]
    public void FloorDiv_rounds_toward_negative_infinity(long numerator, long denominator, long expected) =>
        Assert.Equal(expected, ShapeFormulas.FloorDiv(numerator, denominator));

    [Fact]
    public void Effective_kernel_and_overflow()
    {
        Assert.Equal(11, ShapeFormulas.EffectiveKernel(3, 5));
        Assert.Equal(1, ShapeFormulas.EffectiveKernel(1, 1000));
        Assert.Throws<OverflowException>(() => ShapeFormulas.Convolution(long.MaxValue, 3, 1, long.MaxValue / 2, 1));
        Assert.Throws<OverflowException>(() => ShapeFormulas.TransposedConvolution(long.MaxValue / 2, 3, 4, 0, 0, 1));
    }
}
