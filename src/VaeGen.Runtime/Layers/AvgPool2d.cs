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
public sealed class AvgPool2d : Layer
{
    private Tensor? _output;
    private Tensor? _gradInput;
    private int[]? _inputShape;

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

    /// <summary>The output (h, w) for an input of (h, w).</summary>
    /// <param name="inH">Input height.</param>
    /// <param name="inW">Input width.</param>
    public Size2d OutputSize(int inH, int inW) => new(
        PoolShape.Output(inH, KernelSize.H, Stride.H, Padding.H, 1, CeilMode),
        PoolShape.Output(inW, KernelSize.W, Stride.W, Padding.W, 1, CeilMode));

    /// <inheritdoc />
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank != 4)
        {
            throw new ArgumentException($"AvgPool2d expects [N, C, H, W], got {input.ShapeString()}.", nameof(input));
        }

        int inH = input.Dim(2);
        int inW = input.Dim(3);
        Size2d o = OutputSize(inH, inW);
        PoolShape.Check(nameof(AvgPool2d), KernelSize, Padding, o.H, o.W, inH, inW);
        _output = Tensor.Reuse(_output, [input.Dim(0), input.Dim(1), o.H, o.W]);
        if (_inputShape is null || !input.HasShape(_inputShape))
        {
            _inputShape = input.Shape.ToArray();
        }

        int planes = input.Dim(0) * input.Dim(1);
        float[] x = input.Data;
        float[] y = _output.Data;
        for (int p = 0; p < planes; p++)
        {
            int inBase = p * inH * inW;
            int outBase = p * o.H * o.W;
            for (int oh = 0; oh < o.H; oh++)
            {
                Window(oh, Stride.H, Padding.H, KernelSize.H, inH, out int h0, out int h1, out int hPadded);
                for (int ow = 0; ow < o.W; ow++)
                {
                    Window(ow, Stride.W, Padding.W, KernelSize.W, inW, out int w0, out int w1, out int wPadded);
                    float sum = 0f;
                    for (int ih = h0; ih < h1; ih++)
                    {
                        int row = inBase + (ih * inW);
                        for (int iw = w0; iw < w1; iw++)
                        {
                            sum += x[row + iw];
                        }
                    }

                    int divisor = CountIncludePad ? hPadded * wPadded : (h1 - h0) * (w1 - w0);
                    y[outBase + (oh * o.W) + ow] = sum / divisor;
                }
            }
        }

        return _output;
    }

    /// <inheritdoc />
    public override Tensor Backward(Tensor gradOutput)
    {
        if (!ComputeInputGradient)
        {
            return NoInputGradient;
        }

        Tensor output = RequireForward(_output);
        int[] inputShape = RequireForward(_inputShape);
        RequireSameShape(gradOutput, output);
        _gradInput = Tensor.Reuse(_gradInput, inputShape);
        _gradInput.Clear();
        int inH = inputShape[2];
        int inW = inputShape[3];
        int outH = output.Dim(2);
        int outW = output.Dim(3);
        int planes = inputShape[0] * inputShape[1];
        float[] gx = _gradInput.Data;
        float[] gy = gradOutput.Data;
        for (int p = 0; p < planes; p++)
        {
            int inBase = p * inH * inW;
            int outBase = p * outH * outW;
            for (int oh = 0; oh < outH; oh++)
            {
                Window(oh, Stride.H, Padding.H, KernelSize.H, inH, out int h0, out int h1, out int hPadded);
                for (int ow = 0; ow < outW; ow++)
                {
                    Window(ow, Stride.W, Padding.W, KernelSize.W, inW, out int w0, out int w1, out int wPadded);
                    int divisor = CountIncludePad ? hPadded * wPadded : (h1 - h0) * (w1 - w0);
                    float g = gy[outBase + (oh * outW) + ow] / divisor;
                    for (int ih = h0; ih < h1; ih++)
                    {
                        int row = inBase + (ih * inW);
                        for (int iw = w0; iw < w1; iw++)
                        {
                            gx[row + iw] += g;
                        }
                    }
                }
            }
        }

        return _gradInput;
    }

    private static void Window(int o, int stride, int pad, int kernel, int size, out int start, out int end, out int paddedCount)
    {
        int s = (o * stride) - pad;
        int e = Math.Min(s + kernel, size + pad);
        paddedCount = e - s;
        start = Math.Max(s, 0);
        end = Math.Min(e, size);
    }
}
