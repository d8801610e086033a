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
/// (see <see cref="ConvWorkspace"/> for how samples are grouped and groups run on two threads).
/// Backward regathers the columns instead of keeping them for the whole batch: a cheap copy
/// (<see cref="PlaneIm2Col"/>) for much less memory.
/// </remarks>
public sealed class Conv2d : Layer
{
    private readonly Parameter[] _parameters;
    private Tensor? _input;
    private Tensor? _output;
    private Tensor? _gradInput;
    private readonly ConvWorkspace _work = new();
    private Tensor? _gradOutput;
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

    /// <summary>The column-matrix floats per sample group, or null for the default policy (tests lower it to exercise grouping).</summary>
    internal long? ColumnBudget { get; set; }

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
        _work.Ensure(n, rows, g.OutArea, OutChannels, PlaneIm2Col.PlaneLength(g), (OutChannels * rows) + OutChannels, ColumnBudget);
        ConvWorkspace.Run(new Pass(this, backward: false), (long)OutChannels * rows * g.OutArea * n);
        return _output;
    }

    /// <inheritdoc />
    /// <remarks>
    /// The weight gradient of each slot's samples is formed apart and the slots' sums are added
    /// to <see cref="Parameter.Grad"/> in slot order, so the result does not depend on the threads.
    /// </remarks>
    public override Tensor Backward(Tensor gradOutput)
    {
        Tensor input = RequireForward(_input);
        RequireSameShape(gradOutput, RequireForward(_output));
        ConvGeometry g = _geometry;
        int n = input.Dim(0);
        int rows = InChannels * g.KernelArea;
        _gradOutput = gradOutput;
        if (ComputeInputGradient)
        {
            _gradInput = Tensor.Reuse(_gradInput, input.Shape);
        }

        long multiplyAdds = (long)OutChannels * rows * g.OutArea * n * (ComputeInputGradient ? 2 : 1);
        ConvWorkspace.Run(new Pass(this, backward: true), multiplyAdds);
        _gradOutput = null;
        _work.AddSlotPartials(Weight.Grad.Span, Bias is null ? Span<float>.Empty : Bias.Grad.Span);
        return ComputeInputGradient ? _gradInput! : NoInputGradient;
    }

    private void ForwardSlot(int slot)
    {
        Tensor input = _input!;
        Tensor output = _output!;
        ConvGeometry g = _geometry;
        int rows = InChannels * g.KernelArea;
        int area = g.OutArea;
        int inPlane = InChannels * g.InArea;
        int outPlane = OutChannels * area;
        float[] columns = _work.Columns[slot];
        float[] staging = _work.Staging[slot];
        float[] plane = _work.GatherPlane[slot];
        int ld = _work.Ld;
        _work.SlotGroups(slot, out int firstGroup, out int endGroup);
        for (int group = firstGroup; group < endGroup; group++)
        {
            _work.GroupSamples(group, out int s0, out int count);
            int width = count * area;
            for (int j = 0; j < count; j++)
            {
                PlaneIm2Col.Gather(input.Data.AsSpan((s0 + j) * inPlane, inPlane), InChannels, g, columns, ld, j * area, plane);
            }

            // y[out, samples * HW] = W[out, rows] * cols[rows, samples * HW]
            Sgemm.MultiplySingleThread(false, false, OutChannels, width, rows, Weight.Value.Data, rows, columns, ld, staging, width, accumulate: false);
            ChannelMajor.ToBatch(staging, count, OutChannels, area, Bias is null ? default : Bias.Value.Data, output.Data.AsSpan(s0 * outPlane, count * outPlane));
        }
    }

    private void BackwardSlot(int slot)
    {
        Tensor input = _input!;
        Tensor gradOutput = _gradOutput!;
        ConvGeometry g = _geometry;
        int rows = InChannels * g.KernelArea;
        int area = g.OutArea;
        int inPlane = InChannels * g.InArea;
        int outPlane = OutChannels * area;
        float[] columns = _work.Columns[slot];
        float[] staging = _work.Staging[slot];
        float[] partial = _work.Partial[slot];
        int weights = OutChannels * rows;
        int ld = _work.Ld;
        bool wantInput = ComputeInputGradient;
        _work.SlotGroups(slot, out int firstGroup, out int endGroup);
        for (int group = firstGroup; group < endGroup; group++)
        {
            bool firstOfSlot = group == firstGroup;
            _work.GroupSamples(group, out int s0, out int count);
            int width = count * area;
            for (int j = 0; j < count; j++)
            {
                PlaneIm2Col.Gather(input.Data.AsSpan((s0 + j) * inPlane, inPlane), InChannels, g, columns, ld, j * area, _work.GatherPlane[slot]);
            }

            ChannelMajor.FromBatch(gradOutput.Data.AsSpan(s0 * outPlane, count * outPlane), count, OutChannels, area, staging);

            // dW[out, rows] (+)= gy[out, samples * HW] * cols[rows, samples * HW]^T
            Sgemm.MultiplySingleThread(false, true, OutChannels, rows, width, staging, width, columns, ld, partial, rows, accumulate: !firstOfSlot);
            if (Bias is not null)
            {
                Span<float> biasGrad = partial.AsSpan(weights, OutChannels);
                if (firstOfSlot)
                {
                    biasGrad.Clear();
                }

                AccumulateBiasGrad(staging.AsSpan(0, OutChannels * width), biasGrad, width);
            }

            if (!wantInput)
            {
                continue;
            }

            // dcols[rows, samples * HW] = W[out, rows]^T * gy, then col2im onto each image.
            Sgemm.MultiplySingleThread(true, false, rows, width, OutChannels, Weight.Value.Data, rows, staging, width, columns, ld, accumulate: false);
            for (int j = 0; j < count; j++)
            {
                PlaneIm2Col.Scatter(columns, ld, j * area, InChannels, g, _gradInput!.Data.AsSpan((s0 + j) * inPlane, inPlane), _work.ScatterPlane[slot], default);
            }
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

    private readonly struct Pass : IForkJoinBody
    {
        private readonly Conv2d _layer;
        private readonly bool _backward;

        public Pass(Conv2d layer, bool backward)
        {
            _layer = layer;
            _backward = backward;
        }

        public void Run(int part, int parts)
        {
            if (_backward)
            {
                _layer.BackwardSlot(part);
            }
            else
            {
                _layer.ForwardSlot(part);
            }
        }
    }
}
