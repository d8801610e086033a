using System;
using System.Collections.Generic;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using VaeGen.Runtime.Init;
using VaeGen.Runtime.Kernels;
using VaeGen.Runtime.Tensors;

namespace VaeGen.Runtime.Layers;

/// <summary>
/// 2-D convolution as <c>torch.nn.Conv2d</c> (groups = 1, zero padding): weight [out, in, kh, kw],
/// bias [out]. Input [N, in, H, W], output [N, out, outH, outW].
/// </summary>
/// <remarks>
/// im2col turns a group of samples into one [in*kh*kw, samples*outH*outW] matrix and one GEMM
/// with the weight gives their outputs in channel-major order, which is then copied to NCHW
/// (see <see cref="Im2Col.GroupSize"/> for why samples are grouped). Backward regathers the
/// columns instead of keeping them for the whole batch: a cheap copy for less memory.
/// </remarks>
public sealed class Conv2d : Layer
{
    private readonly Parameter[] _parameters;
    private Tensor? _input;
    private Tensor? _output;
    private Tensor? _gradInput;
    private float[] _columns = Array.Empty<float>();
    private float[] _staging = Array.Empty<float>();
    private ConvGeometry _geometry;

    /// <summary>Creates the layer; with <paramref name="rng"/> the parameters get PyTorch's default initialisation, else zeros.</summary>
    /// <param name="inChannels">Input channels.</param>
    /// <param name="outChannels">Output channels.</param>
    /// <param name="kernelSize">Kernel (h, w).</param>
    /// <param name="stride">Stride (h, w); default 1.</param>
    /// <param name="padding">Zero padding (h, w); default 0.</param>
    /// <param name="dilation">Dilation (h, w); default 1.</param>
    /// <param name="bias">Whether to add a learned bias.</param>
    /// <param name="rng">The initialisation stream, or null to leave zeros (e.g. before loading weights).</param>
    public Conv2d(int inChannels, int outChannels, Size2d kernelSize, Size2d? stride = null, Size2d? padding = null, Size2d? dilation = null, bool bias = true, Rng? rng = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inChannels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outChannels, 1);
        InChannels = inChannels;
        OutChannels = outChannels;
        KernelSize = kernelSize.RequireAtLeast(1, nameof(kernelSize));
        Stride = (stride ?? 1).RequireAtLeast(1, nameof(stride));
        Padding = (padding ?? 0).RequireAtLeast(0, nameof(padding));
        Dilation = (dilation ?? 1).RequireAtLeast(1, nameof(dilation));
        Weight = new Parameter("weight", outChannels, inChannels, KernelSize.H, KernelSize.W);
        Bias = bias ? new Parameter("bias", outChannels) : null;
        _parameters = Bias is null ? [Weight] : [Weight, Bias];
        if (rng is not null)
        {
            TorchInit.ResetParameters(Weight, Bias, rng);
        }
    }

    /// <summary>Input channels.</summary>
    public int InChannels { get; }

    /// <summary>Output channels.</summary>
    public int OutChannels { get; }

    /// <summary>Kernel (h, w).</summary>
    public Size2d KernelSize { get; }

    /// <summary>Stride (h, w).</summary>
    public Size2d Stride { get; }

    /// <summary>Padding (h, w).</summary>
    public Size2d Padding { get; }

    /// <summary>Dilation (h, w).</summary>
    public Size2d Dilation { get; }

    /// <summary>The weight [out, in, kh, kw].</summary>
    public Parameter Weight { get; }

    /// <summary>The bias [out], or null.</summary>
    public Parameter? Bias { get; }

    /// <inheritdoc />
    public override IReadOnlyList<Parameter> Parameters => _parameters;

    /// <summary>The im2col buffer limit in floats (tests lower it to exercise sample grouping).</summary>
    internal long ColumnBudget { get; set; } = Im2Col.DefaultColumnBudget;

    /// <summary>The output (h, w) for an input of (h, w).</summary>
    /// <param name="inH">Input height.</param>
    /// <param name="inW">Input width.</param>
    public Size2d OutputSize(int inH, int inW) => new(
        ConvGeometry.ConvOutput(inH, KernelSize.H, Stride.H, Padding.H, Dilation.H),
        ConvGeometry.ConvOutput(inW, KernelSize.W, Stride.W, Padding.W, Dilation.W));

    /// <inheritdoc />
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank != 4 || input.Dim(1) != InChannels)
        {
            throw new ArgumentException($"Conv2d expects [N, {InChannels}, H, W], got {input.ShapeString()}.", nameof(input));
        }

        int n = input.Dim(0);
        var g = new ConvGeometry(input.Dim(2), input.Dim(3), KernelSize.H, KernelSize.W, Stride.H, Stride.W, Padding.H, Padding.W, Dilation.H, Dilation.W);
        _geometry = g;
        _input = input;
        _output = Tensor.Reuse(_output, [n, OutChannels, g.OutH, g.OutW]);
        int rows = InChannels * g.KernelArea;
        int group = Im2Col.GroupSize(n, rows, g.OutArea, ColumnBudget);
        EnsureBuffers(rows * group * g.OutArea, OutChannels * group * g.OutArea);
        int inPlane = InChannels * g.InArea;
        int outPlane = OutChannels * g.OutArea;
        for (int s0 = 0; s0 < n; s0 += group)
        {
            int count = Math.Min(group, n - s0);
            int width = count * g.OutArea;
            GatherColumns(input.Data.AsSpan(s0 * inPlane, count * inPlane), count, g, width);

            // y[out, samples * HW] = W[out, rows] * cols[rows, samples * HW]
            Sgemm.Multiply(false, false, OutChannels, width, rows, Weight.Value.Data, rows, _columns, width, _staging, width, accumulate: false);
            if (Bias is not null)
            {
                AddBias(_staging, Bias.Value.Data, width);
            }

            ChannelMajor.ToBatch(_staging, count, OutChannels, g.OutArea, _output.Data.AsSpan(s0 * outPlane, count * outPlane));
        }

        return _output;
    }

    /// <inheritdoc />
    public override Tensor Backward(Tensor gradOutput)
    {
        Tensor input = RequireForward(_input);
        RequireSameShape(gradOutput, RequireForward(_output));
        ConvGeometry g = _geometry;
        int n = input.Dim(0);
        int rows = InChannels * g.KernelArea;
        int group = Im2Col.GroupSize(n, rows, g.OutArea, ColumnBudget);
        int inPlane = InChannels * g.InArea;
        int outPlane = OutChannels * g.OutArea;
        _gradInput = Tensor.Reuse(_gradInput, input.Shape);
        _gradInput.Clear();
        for (int s0 = 0; s0 < n; s0 += group)
        {
            int count = Math.Min(group, n - s0);
            int width = count * g.OutArea;
            GatherColumns(input.Data.AsSpan(s0 * inPlane, count * inPlane), count, g, width);
            ChannelMajor.FromBatch(gradOutput.Data.AsSpan(s0 * outPlane, count * outPlane), count, OutChannels, g.OutArea, _staging);

            // dW[out, rows] += gy[out, samples * HW] * cols[rows, samples * HW]^T
            Sgemm.Multiply(false, true, OutChannels, rows, width, _staging, width, _columns, width, Weight.Grad.Data, rows, accumulate: true);
            if (Bias is not null)
            {
                AccumulateBiasGrad(_staging, Bias.Grad.Data, width);
            }

            // dcols[rows, samples * HW] = W[out, rows]^T * gy, then col2im back onto each image.
            Sgemm.Multiply(true, false, rows, width, OutChannels, Weight.Value.Data, rows, _staging, width, _columns, width, accumulate: false);
            for (int j = 0; j < count; j++)
            {
                Im2Col.ScatterAdd(_columns.AsSpan(j * g.OutArea), InChannels, g, width, _gradInput.Data.AsSpan((s0 + j) * inPlane, inPlane));
            }
        }

        return _gradInput;
    }

    /// <summary>Adds bias[c] to every position of channel c of a [C, area] block.</summary>
    internal static void AddBias(Span<float> y, ReadOnlySpan<float> bias, int area)
    {
        for (int c = 0; c < bias.Length; c++)
        {
            Span<float> plane = y.Slice(c * area, area);
            TensorPrimitives.Add(plane, bias[c], plane);
        }
    }

    /// <summary>Adds the per-channel sums of a [C, area] gradient block to the bias gradient.</summary>
    internal static void AccumulateBiasGrad(ReadOnlySpan<float> gy, Span<float> biasGrad, int area)
    {
        for (int c = 0; c < biasGrad.Length; c++)
        {
            biasGrad[c] += TensorPrimitives.Sum(gy.Slice(c * area, area));
        }
    }

    private void GatherColumns(ReadOnlySpan<float> images, int count, in ConvGeometry g, int width)
    {
        int inPlane = InChannels * g.InArea;
        for (int j = 0; j < count; j++)
        {
            Im2Col.Gather(images.Slice(j * inPlane, inPlane), InChannels, g, _columns.AsSpan(j * g.OutArea), width);
        }
    }

    private void EnsureBuffers(int columns, int staging)
    {
        if (_columns.Length != columns)
        {
            _columns = new float[columns];
        }

        if (_staging.Length != staging)
        {
            _staging = new float[staging];
        }
    }
}
