using System;
using VaeGen.Shapes;

namespace VaeGen.Runtime.Layers;

/// <summary>PyTorch's pooling output-size rule (<c>pooling_output_shape</c>), shared by max and average pooling.</summary>
public static class PoolShape
{
    /// <summary>
    /// floor_or_ceil((in + 2p - d(k-1) - 1) / s) + 1, minus one when <paramref name="ceilMode"/> makes
    /// the last window start inside the right padding (it must start inside the input or left padding).
    /// </summary>
    /// <param name="input">Input size.</param>
    /// <param name="kernel">Kernel size.</param>
    /// <param name="stride">Stride.</param>
    /// <param name="padding">Padding on each side.</param>
    /// <param name="dilation">Dilation (1 for average pooling).</param>
    /// <param name="ceilMode">Round up instead of down.</param>
    public static int Output(int input, int kernel, int stride, int padding, int dilation, bool ceilMode) =>
        checked((int)ShapeFormulas.Pooling(input, kernel, stride, padding, ceilMode, dilation));

    /// <summary>Validates a pooling configuration and input as PyTorch's <c>pool2d_shape_check</c> does.</summary>
    /// <param name="layer">The layer name for messages.</param>
    /// <param name="kernel">Kernel size.</param>
    /// <param name="padding">Padding.</param>
    /// <param name="outH">Computed output height.</param>
    /// <param name="outW">Computed output width.</param>
    /// <param name="inH">Input height.</param>
    /// <param name="inW">Input width.</param>
    internal static void Check(string layer, Size2d kernel, Size2d padding, int outH, int outW, int inH, int inW)
    {
        if (padding.H > kernel.H / 2 || padding.W > kernel.W / 2)
        {
            throw new ArgumentException($"{layer}: pad should be smaller than or equal to half of kernel size, but got pad = {padding}, kernel = {kernel}.");
        }

        if (outH < 1 || outW < 1)
        {
            throw new ArgumentException($"{layer}: given input size {inH}x{inW}, calculated output size {outH}x{outW} is too small.");
        }
    }
}
