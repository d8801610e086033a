using System;
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
/// (see <see cref="ConvWorkspace"/> for how samples are grouped and groups run on two threads). A stride-1
/// convolution to at most four channels (an image decoder's last layer) runs on <see cref="DirectConv"/> instead,
/// where the column matrix would be all memory traffic for a few weight rows.
/// Backward regathers the columns instead of keeping them for the whole batch: a cheap copy
/// (<see cref="PlaneIm2Col"/>) for much less memory.
/// </remarks>
public sealed class Conv2d : Convolution
{
    // Per slot: the padded planes of DirectConv's input and output gradient, and the geometry each was made for.
    private readonly float[]?[] _directInput = new float[ConvWorkspace.Slots][];
    private readonly float[]?[] _directGradient = new float[ConvWorkspace.Slots][];
    private readonly ConvGeometry[] _directInputGeometry = new ConvGeometry[ConvWorkspace.Slots];
    private readonly ConvGeometry[] _directGradientGeometry = new ConvGeometry[ConvWorkspace.Slots];

    /// <summary>Creates the layer; with <paramref name="rng"/> the parameters get PyTorch's default initialisation, else zeros.</summary>
    /// <param name="inChannels">Input channels.</param>
    /// <param name="outChannels">Output channels.</param>
    /// <param name="kernelSize">Kernel (h, w).</param>
    /// <param name="stride">Stride (h, w); default 1.</param>
    /// <param name="padding">Zero padding (h, w); default 0.</param>
    /// <param name="dilation">Dilation (h, w); default 1.</param>
    /// <param name="bias">Whether to add a learned bias.</param>
    /// <param name="rng">The initialisation stream, or null to leave zeros (e.g. before loading weights).</param>
    /// <param name="init">How the parameters are drawn from <paramref name="rng"/> (spec 1.1 <c>init:</c>); PyTorch's default unless said.</param>
    public Conv2d(int inChannels, int outChannels, Size2d kernelSize, Size2d? stride = null, Size2d? padding = null, Size2d? dilation = null, bool bias = true, Rng? rng = null, InitScheme init = InitScheme.PyTorch)
        : base(inChannels, outChannels, kernelSize, stride, padding, outputPadding: null, dilation, bias, rng, init, transposed: false)
    {
    }

    /// <summary>The output (h, w) for an input of (h, w).</summary>
    /// <param name="inH">Input height.</param>
    /// <param name="inW">Input width.</param>
    public Size2d OutputSize(int inH, int inW) => new(
        ConvGeometry.ConvOutput(inH, KernelSize.H, Stride.H, Padding.H, Dilation.H),
        ConvGeometry.ConvOutput(inW, KernelSize.W, Stride.W, Padding.W, Dilation.W));

    private protected override ConvGeometry Geometry(int inH, int inW, out Size2d outSize)
    {
        var g = new ConvGeometry(inH, inW, KernelSize.H, KernelSize.W, Stride.H, Stride.W, Padding.H, Padding.W, Dilation.H, Dilation.W);
        outSize = new Size2d(g.OutH, g.OutW);
        return g;
    }

    private protected override void ForwardSlot(int slot)
    {
        Tensor input = _input!;
        Tensor output = _output!;
        (ConvGeometry g, int rows, int area, int inPlane, int outPlane, float[] columns, float[] staging, int ld, int firstGroup, int endGroup) = SlotSetup(slot);
        if (UseDirect(g))
        {
            ForwardDirect(slot, g, inPlane, outPlane, firstGroup, endGroup);
            return;
        }

        float[] plane = _work.GatherPlane[slot];
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

    private protected override void BackwardSlot(int slot)
    {
        Tensor input = _input!;
        Tensor gradOutput = _gradOutput!;
        (ConvGeometry g, int rows, int area, int inPlane, int outPlane, float[] columns, float[] staging, int ld, int firstGroup, int endGroup) = SlotSetup(slot);
        if (UseDirect(g))
        {
            BackwardDirect(slot, g, inPlane, outPlane, firstGroup, endGroup);
            return;
        }

        float[] partial = _work.Partial[slot];
        int weights = OutChannels * rows;
        bool wantInput = ComputeInputGradient;
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

    /// <summary>Whether the direct path may be taken (benchmarks turn it off to time the im2col + GEMM path against it).</summary>
    internal bool AllowDirect { get; set; } = true;

    private bool UseDirect(in ConvGeometry g) => AllowDirect && DirectConv.Applies(g, OutChannels);

    /// <summary>Forward on <see cref="DirectConv"/>: a stride-1 convolution to few channels, sample by sample.</summary>
    private void ForwardDirect(int slot, in ConvGeometry g, int inPlane, int outPlane, int firstGroup, int endGroup)
    {
        float[] padded = DirectPlanes(ref _directInput[slot], slot, g, forInputGradient: false);
        var weights = new DirectConv.ConvWeight(InChannels, g.KernelH, g.KernelW);
        ReadOnlySpan<float> bias = Bias is null ? default : Bias.Value.Data;
        for (int group = firstGroup; group < endGroup; group++)
        {
            _work.GroupSamples(group, out int s0, out int count);
            for (int s = s0; s < s0 + count; s++)
            {
                DirectConv.Pad(_input!.Data.AsSpan(s * inPlane, inPlane), InChannels, g.InH, g.InW, g.PadH, g.PadW, padded);
                DirectConv.Correlate(padded, InChannels, g.KernelH, g.KernelW, Weight.Value.Data, weights, bias, _output!.Data.AsSpan(s * outPlane, outPlane), OutChannels, g.OutH, g.OutW);
            }
        }
    }

    /// <summary>Backward on <see cref="DirectConv"/>: the weight gradient from the padded input, the input gradient as a correlation of the padded output gradient.</summary>
    private void BackwardDirect(int slot, in ConvGeometry g, int inPlane, int outPlane, int firstGroup, int endGroup)
    {
        float[] padded = DirectPlanes(ref _directInput[slot], slot, g, forInputGradient: false);
        float[] partial = _work.Partial[slot];
        int weights = Weight.Value.Length;
        partial.AsSpan(0, weights + (Bias is null ? 0 : OutChannels)).Clear();
        Span<float> biasGrad = Bias is null ? default : partial.AsSpan(weights, OutChannels);
        float[]? paddedGrad = ComputeInputGradient ? DirectPlanes(ref _directGradient[slot], slot, g, forInputGradient: true) : null;
        var rotated = new DirectConv.RotatedTransposedWeight(InChannels, g.KernelH, g.KernelW);
        int padH = g.KernelH - 1 - g.PadH, padW = g.KernelW - 1 - g.PadW;
        for (int group = firstGroup; group < endGroup; group++)
        {
            _work.GroupSamples(group, out int s0, out int count);
            for (int s = s0; s < s0 + count; s++)
            {
                ReadOnlySpan<float> gy = _gradOutput!.Data.AsSpan(s * outPlane, outPlane);
                DirectConv.Pad(_input!.Data.AsSpan(s * inPlane, inPlane), InChannels, g.InH, g.InW, g.PadH, g.PadW, padded);
                DirectConv.AddWeightGradient(padded, InChannels, g.KernelH, g.KernelW, gy, OutChannels, g.OutH, g.OutW, partial.AsSpan(0, weights), biasGrad);
                if (paddedGrad is not null)
                {
                    DirectConv.Pad(gy, OutChannels, g.OutH, g.OutW, padH, padW, paddedGrad);
                    DirectConv.Correlate(paddedGrad, OutChannels, g.KernelH, g.KernelW, Weight.Value.Data, rotated, default, _gradInput!.Data.AsSpan(s * inPlane, inPlane), InChannels, g.InH, g.InW);
                }
            }
        }
    }

    /// <summary>
    /// A slot's padded planes (zero borders: fresh, and only <see cref="DirectConv.Pad"/> writes their interiors),
    /// made again when the geometry changes: the input padded by the padding, or the output gradient padded by
    /// kernel - 1 - padding.
    /// </summary>
    private float[] DirectPlanes(ref float[]? planes, int slot, in ConvGeometry g, bool forInputGradient)
    {
        int length = forInputGradient
            ? DirectConv.PaddedLength(OutChannels, g.OutH, g.OutW, g.KernelH - 1 - g.PadH, g.KernelW - 1 - g.PadW)
            : DirectConv.PaddedLength(InChannels, g.InH, g.InW, g.PadH, g.PadW);
        ref ConvGeometry made = ref (forInputGradient ? ref _directGradientGeometry[slot] : ref _directInputGeometry[slot]);
        if (planes is null || planes.Length != length || made != g)
        {
            planes = new float[length];
            made = g;
        }

        return planes;
    }

}
