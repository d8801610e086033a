using System;
using VaeGen.Runtime.Tensors;

namespace VaeGen.Runtime.Layers;

/// <summary>
/// 2-D max pooling as <c>torch.nn.MaxPool2d</c> (kernel, stride, padding, dilation, ceil_mode).
/// Padding never wins the max; ties go to the first position in the window and NaN propagates (the last NaN wins),
/// as in PyTorch, and the gradient flows to that one position.
/// </summary>
public sealed class MaxPool2d : PlaneLayer
{
    private int[] _argmax = Array.Empty<int>();

    /// <summary>Creates the layer.</summary>
    /// <param name="kernelSize">Window (h, w).</param>
    /// <param name="stride">Stride (h, w); defaults to the kernel size, as in PyTorch.</param>
    /// <param name="padding">Implicit -inf padding (h, w); at most half the kernel.</param>
    /// <param name="dilation">Spacing between window elements.</param>
    /// <param name="ceilMode">Use ceil instead of floor for the output size.</param>
    public MaxPool2d(Size2d kernelSize, Size2d? stride = null, Size2d? padding = null, Size2d? dilation = null, bool ceilMode = false)
    {
        KernelSize = kernelSize.RequireAtLeast(1, nameof(kernelSize));
        Stride = (stride ?? kernelSize).RequireAtLeast(1, nameof(stride));
        Padding = (padding ?? 0).RequireAtLeast(0, nameof(padding));
        Dilation = (dilation ?? 1).RequireAtLeast(1, nameof(dilation));
        CeilMode = ceilMode;
    }

    /// <summary>Window (h, w).</summary>
    public Size2d KernelSize { get; }

    /// <summary>Stride (h, w).</summary>
    public Size2d Stride { get; }

    /// <summary>Padding (h, w).</summary>
    public Size2d Padding { get; }

    /// <summary>Dilation (h, w).</summary>
    public Size2d Dilation { get; }

    /// <summary>Whether the output size rounds up.</summary>
    public bool CeilMode { get; }

    /// <inheritdoc />
    public override Size2d OutputSize(int inH, int inW) => new(
        PoolShape.Output(inH, KernelSize.H, Stride.H, Padding.H, Dilation.H, CeilMode),
        PoolShape.Output(inW, KernelSize.W, Stride.W, Padding.W, Dilation.W, CeilMode));

    /// <inheritdoc />
    protected override void CheckOutputSize(Size2d output, int inH, int inW) =>
        PoolShape.Check(nameof(MaxPool2d), KernelSize, Padding, output.H, output.W, inH, inW);

    /// <inheritdoc />
    protected override bool ProcessesPlaneRanges => true;

    /// <inheritdoc />
    protected override void OnInputShapeChanged(PlaneShape planes)
    {
        // Made here, on the calling thread, before any part of a split forward runs.
        if (_argmax.Length != planes.Count * planes.OutArea)
        {
            _argmax = new int[planes.Count * planes.OutArea];
        }
    }

    /// <inheritdoc />
    protected override void ForwardPlanes(float[] x, float[] y, PlaneShape planes)
    {
        if (KernelSize == new Size2d(2, 2) && Stride == new Size2d(2, 2) && Padding == new Size2d(0, 0) && Dilation == new Size2d(1, 1)
            && 2 * planes.OutH <= planes.InH && 2 * planes.OutW <= planes.InW)
        {
            Pool2x2(x, y, _argmax, planes);
        }
        else
        {
            Pool(x, y, planes);
        }
    }

    /// <inheritdoc />
    protected override void BackwardPlanes(float[] gy, float[] gx, PlaneShape planes)
    {
        // The gradient flows to the one position each window chose.
        for (int p = planes.First; p < planes.End; p++)
        {
            int inBase = p * planes.InArea;
            int outBase = p * planes.OutArea;
            for (int q = 0; q < planes.OutArea; q++)
            {
                gx[inBase + _argmax[outBase + q]] += gy[outBase + q];
            }
        }
    }

    /// <summary>
    /// The common 2x2, stride-2 window, every window inside the input: the same comparisons in the
    /// same order as <see cref="Pool"/>, without its per-tap bounds checks and loop bookkeeping.
    /// </summary>
    private static unsafe void Pool2x2(float[] x, float[] y, int[] argmax, PlaneShape shape)
    {
        (_, int inH, int inW, int outH, int outW) = shape;
        fixed (float* xp = x)
        fixed (float* yp = y)
        fixed (int* ap = argmax)
        {
            float* dst = yp + ((long)shape.First * shape.OutArea);
            int* arg = ap + ((long)shape.First * shape.OutArea);
            for (int p = shape.First; p < shape.End; p++)
            {
                float* plane = xp + ((long)p * inH * inW);
                for (int oh = 0; oh < outH; oh++)
                {
                    int top = 2 * oh * inW;
                    for (int ow = 0; ow < outW; ow++, dst++, arg++)
                    {
                        int i = top + (2 * ow);
                        float best = plane[i];
                        int bestIndex = i;
                        Take(plane[i + 1], i + 1, ref best, ref bestIndex);
                        Take(plane[i + inW], i + inW, ref best, ref bestIndex);
                        Take(plane[i + inW + 1], i + inW + 1, ref best, ref bestIndex);
                        *dst = best;
                        *arg = bestIndex;
                    }
                }
            }
        }

        static void Take(float v, int index, ref float best, ref int bestIndex)
        {
            if (v > best || float.IsNaN(v))
            {
                best = v;
                bestIndex = index;
            }
        }
    }

    // A plain scan: branch-free variants (maxss plus an index pass) measured no faster here, so
    // the clear version stays (MaxPool2d is scalar; see ElementwiseBenchmarks).
    private void Pool(float[] x, float[] y, PlaneShape shape)
    {
        (_, int inH, int inW, int outH, int outW) = shape;
        int inArea = shape.InArea;
        int outArea = shape.OutArea;
        for (int p = shape.First; p < shape.End; p++)
        {
            int inBase = p * inArea;
            int outBase = p * outArea;
            for (int oh = 0; oh < outH; oh++)
            {
                int h0 = (oh * Stride.H) - Padding.H;
                for (int ow = 0; ow < outW; ow++)
                {
                    int w0 = (ow * Stride.W) - Padding.W;
                    float best = float.NegativeInfinity;
                    int bestIndex = -1;
                    for (int i = 0; i < KernelSize.H; i++)
                    {
                        int ih = h0 + (i * Dilation.H);
                        if ((uint)ih >= (uint)inH)
                        {
                            continue;
                        }

                        for (int j = 0; j < KernelSize.W; j++)
                        {
                            int iw = w0 + (j * Dilation.W);
                            if ((uint)iw >= (uint)inW)
                            {
                                continue;
                            }

                            // PyTorch's rule: strictly greater wins (ties keep the first), and so does
                            // NaN, so the last NaN in the window is the one chosen.
                            int index = (ih * inW) + iw;
                            float v = x[inBase + index];
                            if (v > best || float.IsNaN(v) || bestIndex < 0)
                            {
                                best = v;
                                bestIndex = index;
                            }
                        }
                    }

                    y[outBase + (oh * outW) + ow] = best;
                    _argmax[outBase + (oh * outW) + ow] = bestIndex;
                }
            }
        }
    }
}
