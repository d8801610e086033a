using System;
using VaeGen.Runtime.Tensors;

namespace VaeGen.Runtime.Layers;

/// <summary>
/// 2-D average pooling as <c>torch.nn.AvgPool2d</c> (kernel, stride, padding, ceil_mode, count_include_pad).
/// </summary>
/// <remarks>
/// Divisor rule copied from PyTorch: a window is first clipped to the padded input
/// [-pad, in + pad), whose size is the divisor when count_include_pad; then clipped to the input
/// itself, whose size is the divisor otherwise. So with ceil_mode a window hanging past the
/// padding counts only the padded part, as PyTorch does.
/// </remarks>
public sealed class AvgPool2d : PlaneLayer
{
    /// <summary>Creates the layer.</summary>
    /// <param name="kernelSize">Window (h, w).</param>
    /// <param name="stride">Stride (h, w); defaults to the kernel size.</param>
    /// <param name="padding">Zero padding (h, w); at most half the kernel.</param>
    /// <param name="ceilMode">Use ceil instead of floor for the output size.</param>
    /// <param name="countIncludePad">Count padding positions in the divisor (PyTorch's default true).</param>
    public AvgPool2d(Size2d kernelSize, Size2d? stride = null, Size2d? padding = null, bool ceilMode = false, bool countIncludePad = true)
    {
        KernelSize = kernelSize.RequireAtLeast(1, nameof(kernelSize));
        Stride = (stride ?? kernelSize).RequireAtLeast(1, nameof(stride));
        Padding = (padding ?? 0).RequireAtLeast(0, nameof(padding));
        CeilMode = ceilMode;
        CountIncludePad = countIncludePad;
    }

    /// <summary>Window (h, w).</summary>
    public Size2d KernelSize { get; }

    /// <summary>Stride (h, w).</summary>
    public Size2d Stride { get; }

    /// <summary>Padding (h, w).</summary>
    public Size2d Padding { get; }

    /// <summary>Whether the output size rounds up.</summary>
    public bool CeilMode { get; }

    /// <summary>Whether padding counts in the divisor.</summary>
    public bool CountIncludePad { get; }

    /// <inheritdoc />
    public override Size2d OutputSize(int inH, int inW) => new(
        PoolShape.Output(inH, KernelSize.H, Stride.H, Padding.H, 1, CeilMode),
        PoolShape.Output(inW, KernelSize.W, Stride.W, Padding.W, 1, CeilMode));

    /// <inheritdoc />
    protected override void CheckOutputSize(Size2d output, int inH, int inW) =>
        PoolShape.Check(nameof(AvgPool2d), KernelSize, Padding, output.H, output.W, inH, inW);

    /// <inheritdoc />
    protected override bool ProcessesPlaneRanges => true;

    /// <inheritdoc />
    protected override void ForwardPlanes(float[] x, float[] y, PlaneShape planes) =>
        EachWindow(planes, new AverageWindow(x, y, planes.InW));

    /// <inheritdoc />
    protected override void BackwardPlanes(float[] gy, float[] gx, PlaneShape planes) =>
        EachWindow(planes, new SpreadGradient(gy, gx, planes.InW));

    // One walk over the windows for both passes; the visitor is a struct, so the JIT specialises
    // the walk for each pass and nothing is allocated per step.
    private void EachWindow<TVisitor>(PlaneShape planes, TVisitor visitor)
        where TVisitor : struct, IWindowVisitor
    {
        for (int p = planes.First; p < planes.End; p++)
        {
            int inBase = p * planes.InArea;
            int outIndex = p * planes.OutArea;
            for (int oh = 0; oh < planes.OutH; oh++)
            {
                Window(oh, Stride.H, Padding.H, KernelSize.H, planes.InH, out int h0, out int h1, out int hPadded);
                for (int ow = 0; ow < planes.OutW; ow++, outIndex++)
                {
                    Window(ow, Stride.W, Padding.W, KernelSize.W, planes.InW, out int w0, out int w1, out int wPadded);
                    int divisor = CountIncludePad ? hPadded * wPadded : (h1 - h0) * (w1 - w0);
                    visitor.Visit(new PoolWindow(inBase, h0, h1, w0, w1), outIndex, divisor);
                }
            }
        }
    }

    private static void Window(int o, int stride, int pad, int kernel, int size, out int start, out int end, out int paddedCount)
    {
        int s = (o * stride) - pad;
        int e = Math.Min(s + kernel, size + pad);
        paddedCount = e - s;
        start = Math.Max(s, 0);
        end = Math.Min(e, size);
    }

    private interface IWindowVisitor
    {
        void Visit(PoolWindow window, int outIndex, int divisor);
    }

    /// <summary>Rows [H0, H1) and columns [W0, W1) of the plane starting at <c>PlaneStart</c>.</summary>
    private readonly record struct PoolWindow(int PlaneStart, int H0, int H1, int W0, int W1);

    private readonly struct AverageWindow(float[] x, float[] y, int inW) : IWindowVisitor
    {
        public void Visit(PoolWindow window, int outIndex, int divisor)
        {
            float sum = 0f;
            for (int ih = window.H0; ih < window.H1; ih++)
            {
                int row = window.PlaneStart + (ih * inW);
                for (int iw = window.W0; iw < window.W1; iw++)
                {
                    sum += x[row + iw];
                }
            }

            y[outIndex] = sum / divisor;
        }
    }

    private readonly struct SpreadGradient(float[] gy, float[] gx, int inW) : IWindowVisitor
    {
        public void Visit(PoolWindow window, int outIndex, int divisor)
        {
            float g = gy[outIndex] / divisor;
            for (int ih = window.H0; ih < window.H1; ih++)
            {
                int row = window.PlaneStart + (ih * inW);
                for (int iw = window.W0; iw < window.W1; iw++)
                {
                    gx[row + iw] += g;
                }
            }
        }
    }
}
