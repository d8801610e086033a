using System;
using VaeGen.Runtime.Tensors;

namespace VaeGen.Runtime.Layers;

/// <summary>
/// Spatial resizing of [N, C, H, W] as <c>torch.nn.Upsample</c> with mode nearest or bilinear
/// (align_corners=False), by scale factor or by target size.
/// </summary>
/// <remarks>
/// Source coordinates are computed as PyTorch's CPU kernels do, in float: the scale is 1/scale_factor
/// when a scale factor was given, else in/out; bilinear uses max(scale * (dst + 0.5) - 0.5, 0).
/// Per-axis index and weight tables are built once per input size and reused.
/// </remarks>
public sealed class Upsample : Layer
{
    private readonly double _scaleH;
    private readonly double _scaleW;
    private readonly int _sizeH;
    private readonly int _sizeW;
    private Tensor? _output;
    private Tensor? _gradInput;
    private int[]? _inputShape;
    private AxisTable _rows;
    private AxisTable _cols;

    /// <summary>Creates a layer that scales each spatial axis by a factor; output size floor(in * factor).</summary>
    /// <param name="scaleH">Height factor (positive).</param>
    /// <param name="scaleW">Width factor (positive).</param>
    /// <param name="mode">Interpolation.</param>
    public Upsample(double scaleH, double scaleW, UpsampleMode mode)
    {
        if (!(scaleH > 0) || !(scaleW > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(scaleH), "Scale factors must be positive.");
        }

        _scaleH = scaleH;
        _scaleW = scaleW;
        Mode = mode;
    }

    /// <summary>Creates a layer that resizes to a fixed (h, w).</summary>
    /// <param name="size">Target size.</param>
    /// <param name="mode">Interpolation.</param>
    public Upsample(Size2d size, UpsampleMode mode)
    {
        size.RequireAtLeast(1, nameof(size));
        _sizeH = size.H;
        _sizeW = size.W;
        Mode = mode;
    }

    /// <summary>Interpolation mode.</summary>
    public UpsampleMode Mode { get; }

    /// <summary>The output (h, w) for an input of (h, w).</summary>
    /// <param name="inH">Input height.</param>
    /// <param name="inW">Input width.</param>
    public Size2d OutputSize(int inH, int inW) => _sizeH > 0
        ? new Size2d(_sizeH, _sizeW)
        : new Size2d((int)Math.Floor(inH * _scaleH), (int)Math.Floor(inW * _scaleW));

    /// <inheritdoc />
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank != 4)
        {
            throw new ArgumentException($"Upsample expects [N, C, H, W], got {input.ShapeString()}.", nameof(input));
        }

        int inH = input.Dim(2);
        int inW = input.Dim(3);
        Size2d o = OutputSize(inH, inW);
        if (o.H < 1 || o.W < 1)
        {
            throw new ArgumentException($"Upsample output size {o} is empty for input {input.ShapeString()}.", nameof(input));
        }

        _output = Tensor.Reuse(_output, [input.Dim(0), input.Dim(1), o.H, o.W]);
        if (_inputShape is null || !input.HasShape(_inputShape))
        {
            _inputShape = input.Shape.ToArray();
            _rows = new AxisTable(inH, o.H, _sizeH > 0 ? 0 : _scaleH, Mode);
            _cols = new AxisTable(inW, o.W, _sizeW > 0 ? 0 : _scaleW, Mode);
        }

        int planes = input.Dim(0) * input.Dim(1);
        if (Mode == UpsampleMode.Nearest && o.H == 2 * inH && o.W == 2 * inW)
        {
            Nearest2xForward(input.Data, _output.Data, planes, inH, inW);
        }
        else if (Mode == UpsampleMode.Nearest)
        {
            NearestForward(input.Data, _output.Data, planes, inH, inW, o.H, o.W);
        }
        else
        {
            BilinearForward(input.Data, _output.Data, planes, inH, inW, o.H, o.W);
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
        if (Mode == UpsampleMode.Nearest && outH == 2 * inH && outW == 2 * inW)
        {
            Nearest2xBackward(gradOutput.Data, _gradInput.Data, planes, inH, inW);
        }
        else if (Mode == UpsampleMode.Nearest)
        {
            NearestBackward(gradOutput.Data, _gradInput.Data, planes, inH, inW, outH, outW);
        }
        else
        {
            BilinearBackward(gradOutput.Data, _gradInput.Data, planes, inH, inW, outH, outW);
        }

        return _gradInput;
    }

    // Exact 2x nearest (the usual decoder upsampling) maps output (2i + a, 2j + b) to input (i, j):
    // each output row is built once and duplicated, and the gradient sums each 2x2 block in the
    // order the general loop would (row 2i left to right, then row 2i + 1).
    private static unsafe void Nearest2xForward(float[] x, float[] y, int planes, int inH, int inW)
    {
        int outW = 2 * inW;
        fixed (float* xp = x)
        fixed (float* yp = y)
        {
            float* src = xp;
            float* dst = yp;
            for (int r = 0; r < planes * inH; r++, src += inW, dst += 2 * outW)
            {
                for (int i = 0; i < inW; i++)
                {
                    dst[2 * i] = src[i];
                    dst[(2 * i) + 1] = src[i];
                }

                Buffer.MemoryCopy(dst, dst + outW, outW * sizeof(float), outW * sizeof(float));
            }
        }
    }

    private static unsafe void Nearest2xBackward(float[] gy, float[] gx, int planes, int inH, int inW)
    {
        int outW = 2 * inW;
        fixed (float* gyp = gy)
        fixed (float* gxp = gx)
        {
            float* top = gyp;
            float* dst = gxp;
            for (int r = 0; r < planes * inH; r++, top += 2 * outW, dst += inW)
            {
                float* bottom = top + outW;
                for (int i = 0; i < inW; i++)
                {
                    dst[i] = top[2 * i] + top[(2 * i) + 1] + bottom[2 * i] + bottom[(2 * i) + 1];
                }
            }
        }
    }

    // The four loops below run per output element, so they use raw pointers: index tables and
    // plane offsets make every access provably in range (tables are built from the same sizes).
    private unsafe void NearestForward(float[] x, float[] y, int planes, int inH, int inW, int outH, int outW)
    {
        fixed (float* xp = x)
        fixed (float* yp = y)
        fixed (int* rows = _rows.Index0)
        fixed (int* cols = _cols.Index0)
        {
            float* dst = yp;
            for (int p = 0; p < planes; p++)
            {
                float* plane = xp + ((long)p * inH * inW);
                for (int oh = 0; oh < outH; oh++, dst += outW)
                {
                    float* src = plane + ((long)rows[oh] * inW);
                    for (int ow = 0; ow < outW; ow++)
                    {
                        dst[ow] = src[cols[ow]];
                    }
                }
            }
        }
    }

    private unsafe void NearestBackward(float[] gy, float[] gx, int planes, int inH, int inW, int outH, int outW)
    {
        fixed (float* gyp = gy)
        fixed (float* gxp = gx)
        fixed (int* rows = _rows.Index0)
        fixed (int* cols = _cols.Index0)
        {
            float* src = gyp;
            for (int p = 0; p < planes; p++)
            {
                float* plane = gxp + ((long)p * inH * inW);
                for (int oh = 0; oh < outH; oh++, src += outW)
                {
                    float* dst = plane + ((long)rows[oh] * inW);
                    for (int ow = 0; ow < outW; ow++)
                    {
                        dst[cols[ow]] += src[ow];
                    }
                }
            }
        }
    }

    private unsafe void BilinearForward(float[] x, float[] y, int planes, int inH, int inW, int outH, int outW)
    {
        fixed (float* xp = x)
        fixed (float* yp = y)
        fixed (int* r0s = _rows.Index0)
        fixed (int* r1s = _rows.Index1)
        fixed (float* lh0s = _rows.Lambda0)
        fixed (float* lh1s = _rows.Lambda1)
        fixed (int* c0s = _cols.Index0)
        fixed (int* c1s = _cols.Index1)
        fixed (float* lw0s = _cols.Lambda0)
        fixed (float* lw1s = _cols.Lambda1)
        {
            float* dst = yp;
            for (int p = 0; p < planes; p++)
            {
                float* plane = xp + ((long)p * inH * inW);
                for (int oh = 0; oh < outH; oh++, dst += outW)
                {
                    float* a = plane + ((long)r0s[oh] * inW);
                    float* b = plane + ((long)r1s[oh] * inW);
                    float lh0 = lh0s[oh], lh1 = lh1s[oh];
                    for (int ow = 0; ow < outW; ow++)
                    {
                        int c0 = c0s[ow], c1 = c1s[ow];
                        float lw0 = lw0s[ow], lw1 = lw1s[ow];
                        dst[ow] = (lh0 * ((lw0 * a[c0]) + (lw1 * a[c1]))) + (lh1 * ((lw0 * b[c0]) + (lw1 * b[c1])));
                    }
                }
            }
        }
    }

    private unsafe void BilinearBackward(float[] gy, float[] gx, int planes, int inH, int inW, int outH, int outW)
    {
        fixed (float* gyp = gy)
        fixed (float* gxp = gx)
        fixed (int* r0s = _rows.Index0)
        fixed (int* r1s = _rows.Index1)
        fixed (float* lh0s = _rows.Lambda0)
        fixed (float* lh1s = _rows.Lambda1)
        fixed (int* c0s = _cols.Index0)
        fixed (int* c1s = _cols.Index1)
        fixed (float* lw0s = _cols.Lambda0)
        fixed (float* lw1s = _cols.Lambda1)
        {
            float* src = gyp;
            for (int p = 0; p < planes; p++)
            {
                float* plane = gxp + ((long)p * inH * inW);
                for (int oh = 0; oh < outH; oh++, src += outW)
                {
                    float* a = plane + ((long)r0s[oh] * inW);
                    float* b = plane + ((long)r1s[oh] * inW);
                    float lh0 = lh0s[oh], lh1 = lh1s[oh];
                    for (int ow = 0; ow < outW; ow++)
                    {
                        float g = src[ow];
                        int c0 = c0s[ow], c1 = c1s[ow];
                        float lw0 = lw0s[ow], lw1 = lw1s[ow];
                        a[c0] += lh0 * lw0 * g;
                        a[c1] += lh0 * lw1 * g;
                        b[c0] += lh1 * lw0 * g;
                        b[c1] += lh1 * lw1 * g;
                    }
                }
            }
        }
    }

    /// <summary>For each output index along one axis: the two source indices and their weights.</summary>
    private readonly struct AxisTable
    {
        public readonly int[] Index0;
        public readonly int[] Index1;
        public readonly float[] Lambda0;
        public readonly float[] Lambda1;

        public AxisTable(int inSize, int outSize, double scaleFactor, UpsampleMode mode)
        {
            Index0 = new int[outSize];
            Index1 = new int[outSize];
            Lambda0 = new float[outSize];
            Lambda1 = new float[outSize];

            // compute_scales_value: 1/scale_factor when given, else in/out, both as float.
            float scale = scaleFactor > 0 ? (float)(1.0 / scaleFactor) : (float)inSize / outSize;
            for (int o = 0; o < outSize; o++)
            {
                if (mode == UpsampleMode.Nearest)
                {
                    // nearest_idx: identity and exact 2x have shortcuts that avoid float rounding.
                    int src = outSize == inSize ? o
                        : outSize == 2 * inSize ? o >> 1
                        : Math.Min((int)MathF.Floor(o * scale), inSize - 1);
                    Index0[o] = src;
                    Index1[o] = src;
                    Lambda0[o] = 1f;
                    Lambda1[o] = 0f;
                }
                else if (outSize == inSize)
                {
                    Index0[o] = o;
                    Index1[o] = o;
                    Lambda0[o] = 1f;
                    Lambda1[o] = 0f;
                }
                else
                {
                    float real = MathF.Max((scale * (o + 0.5f)) - 0.5f, 0f);
                    int i0 = (int)real;
                    Index0[o] = i0;
                    Index1[o] = i0 + (i0 < inSize - 1 ? 1 : 0);
                    float l1 = Math.Clamp(real - i0, 0f, 1f);
                    Lambda1[o] = l1;
                    Lambda0[o] = 1f - l1;
                }
            }
        }
    }
}
