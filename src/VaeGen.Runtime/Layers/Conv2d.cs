using System;
using System.Collections.Generic;
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
/// (see <see cref="ConvWorkspace"/> for how samples are grouped and groups are spread over threads). A stride-1
/// convolution to at most four channels (an image decoder's last layer) runs on <see cref="DirectConv"/> instead,
/// where the column matrix would be all memory traffic for a few weight rows. The forward of a convolution to a
/// multiple of 32 channels over a large enough map (an encoder's middle layers) runs on <see cref="PixelTileConv"/>,
/// which reads the padded input planes without a column matrix, and its input gradient, the transposed convolution of
/// the output gradient, on <see cref="PhaseTileConv"/>, without col2im.
/// Backward regathers the columns instead of keeping them for the whole batch: a cheap copy
/// (<see cref="PlaneIm2Col"/>) for much less memory.
/// </remarks>
public sealed class Conv2d : Convolution
{
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

    private protected override void ForwardSlot(int slot, bool wide)
    {
        Tensor input = _input!;
        Tensor output = _output!;
        SlotSizes sizes = SlotSetup(slot);
        (ConvGeometry g, int rows, int area, _, int outPlane, float[] columns, float[] staging, int ld, _, _) = sizes;
        // Units move between the slots' threads (ConvWorkspace.TakeUnit), so this thread makes its per-thread scratch
        // before it takes any: a unit it first computes in a later pass then allocates nothing (the lanes' scratch is
        // made in PrepareForward).
        if (UseDirect(g))
        {
            DirectConv.ThreadPackedWeights(InChannels * g.KernelArea);
            ForwardBySample(new DirectForwardSample(this), slot, wide);
            return;
        }

        if (UseTiles(g))
        {
            ForwardBySample(new TileForwardSample(this, _tiles), slot, wide);
            return;
        }

        Sgemm.ThreadPackBuffers();
        Sgemm.Parallelism split = ConvWorkspace.ProductSplit(wide);
        while (_work.TakeUnit(slot, out int group))
        {
            _work.GroupSamples(group, out int s0, out int count);
            int width = count * area;
            GatherSamples(input.Data, InChannels, s0, count, sizes, slot, wide);

            // y[out, samples * HW] = W[out, rows] * cols[rows, samples * HW]
            Sgemm.Multiply(false, false, OutChannels, width, rows, Weight.Value.Data, rows, columns, ld, staging, width, accumulate: false, split, packedA: _packedWeight);
            UnstageSamples(output.Data, OutChannels, area, s0, count, Bias?.Value.Data, sizes, slot, wide);
            FinishSamples(s0, count, slot, wide);
        }
    }

    private protected override void BackwardSlot(int slot, bool wide)
    {
        Tensor input = _input!;
        Tensor gradOutput = _gradOutput!;
        SlotSizes sizes = SlotSetup(slot);
        (ConvGeometry g, int rows, int area, _, int outPlane, float[] columns, float[] staging, int ld, int firstGroup, int endGroup) = sizes;
        if (UseDirect(g))
        {
            BackwardDirect(slot, wide);
            return;
        }

        bool addsToGradients = SlotGradients(slot, out Span<float> weightSums, out Span<float> biasSums);
        bool wantInput = ComputeInputGradient;
        bool inputGradientTiles = UseInputGradientTiles(g);
        Sgemm.Parallelism split = ConvWorkspace.ProductSplit(wide);
        for (int group = firstGroup; group < endGroup; group++)
        {
            bool starts = group == firstGroup && !addsToGradients;
            _work.GroupSamples(group, out int s0, out int count);
            int width = count * area;
            GatherSamples(input.Data, InChannels, s0, count, sizes, slot, wide);
            StageSamples(gradOutput.Data, OutChannels, area, s0, count, sizes, slot, wide);

            // dW[out, rows] (+)= gy[out, samples * HW] * cols[rows, samples * HW]^T
            Sgemm.Multiply(false, true, OutChannels, rows, width, staging, width, columns, ld, weightSums, rows, accumulate: !starts, split);
            if (Bias is not null)
            {
                if (starts)
                {
                    biasSums.Clear();
                }

                AccumulateBiasGrad(staging.AsSpan(0, OutChannels * width), biasSums, width);
            }

            if (!wantInput)
            {
                continue;
            }

            if (inputGradientTiles)
            {
                _work.ForEachSample(new TileInputGradientSample(this, _inputGradientTiles, s0), count, slot, wide);
                continue;
            }

            // dcols[rows, samples * HW] = W[out, rows]^T * gy, then col2im onto each image.
            Sgemm.Multiply(true, false, rows, width, OutChannels, Weight.Value.Data, rows, staging, width, columns, ld, accumulate: false, split);
            ScatterSamples(_gradInput!.Data, InChannels, s0, count, sizes, bias: null, slot, wide);
        }
    }

    /// <summary>
    /// Whether the forward may run on <see cref="PixelTileConv"/> and the input gradient on <see cref="PhaseTileConv"/>
    /// (tests and benchmarks turn them off to compare with im2col + GEMM and GEMM + col2im).
    /// </summary>
    internal bool AllowTiles { get; set; } = true;

    /// <summary>The input gradient on tiles.</summary>
    private readonly PhaseTilePass _inputGradientTiles = new(onGradients: true);

    /// <summary>Whether the input gradient runs on <see cref="PhaseTileConv"/>: it is the transposed convolution of the output gradient by the same weight.</summary>
    private bool UseInputGradientTiles(in ConvGeometry g) => AllowTiles && ComputeInputGradient && !UseDirect(g) && PhaseTileConv.Applies(g, OutChannels, InChannels);

    /// <summary>Whether an input of (h, w) runs its input gradient on tiles, for tests that must cover both paths.</summary>
    internal bool UsesInputGradientTiles(int inH, int inW) => UseInputGradientTiles(Geometry(inH, inW, out _));

    /// <summary>Plans the input gradient's phases and packs the weight for them (the weight [out, in, kh, kw] is the transposed convolution's [in, out, kh, kw]).</summary>
    private protected override void PrepareBackward(in ConvGeometry g)
    {
        if (UseInputGradientTiles(g))
        {
            _inputGradientTiles.Prepare(g, OutChannels, InChannels, Weight.Value.Data, WeightsConstant, _work.Lanes);
        }
    }

    /// <summary>The forward on tiles.</summary>
    private readonly PixelTilePass _tiles = new(onGradients: false);

    private bool UseTiles(in ConvGeometry g) => AllowTiles && !UseDirect(g) && PixelTileConv.Applies(g, InChannels, OutChannels);

    /// <summary>Whether an input of (h, w) runs its forward on tiles, for tests that must cover both paths.</summary>
    internal bool UsesTiles(int inH, int inW) => UseTiles(Geometry(inH, inW, out _));

    /// <summary>The direct path reads padded planes, forward and backward; the tiles' backward still gathers columns.</summary>
    private protected override bool UsesColumns(in ConvGeometry g) => !UseDirect(g);

    /// <summary>
    /// Makes every lane's padded planes for the direct path, or sets up the tiles (their weights change with every
    /// optimizer step; packed once while held constant).
    /// </summary>
    private protected override void PrepareForward(in ConvGeometry g)
    {
        if (UseTiles(g))
        {
            _tiles.Prepare(g, InChannels, OutChannels, Weight.Value.Data, WeightsConstant, _work.Lanes);
        }
        else if (UseDirect(g))
        {
            // A slot that runs out of samples takes the other's (ConvWorkspace.TakeUnit), so which lane first computes a
            // sample depends on the threads' timing. Every lane's scratch is made here, before the pass forks: a lane
            // first used in a later pass would otherwise allocate then, and a steady step allocates nothing.
            foreach (ConvWorkspace.Lane lane in _work.Lanes)
            {
                DirectPlanes(lane, g, forInputGradient: false);
            }
        }
    }

    /// <inheritdoc />
    private protected override void DropWeightPacks()
    {
        base.DropWeightPacks();
        _tiles.Drop();
        _inputGradientTiles.Drop();
    }

    /// <summary>Whether the direct path may be taken (benchmarks turn it off to time the im2col + GEMM path against it).</summary>
    internal bool AllowDirect { get; set; } = true;

    private bool UseDirect(in ConvGeometry g) => AllowDirect && DirectConv.Applies(g, OutChannels);

    /// <summary>The workspace's lanes (per-thread scratch), for tests that check what a pass made.</summary>
    internal IReadOnlyList<ConvWorkspace.Lane> Lanes => _work.Lanes;

    /// <summary>Whether an input of (h, w) runs on the direct path, for tests that must cover it.</summary>
    internal bool UsesDirectPath(int inH, int inW) => UseDirect(Geometry(inH, inW, out _));

    /// <inheritdoc />
    private protected override SlotUnits ForwardUnits(in ConvGeometry g) => UseDirect(g) || UseTiles(g) ? SlotUnits.Samples : SlotUnits.Groups;

    /// <summary>
    /// Backward on <see cref="DirectConv"/>: the weight gradient from the padded input, the input gradient as a correlation of
    /// the padded output gradient. The slot's partial sums run over its samples in order, so a wide slot splits the input
    /// channels instead (blocks of four, as <see cref="DirectConv.Correlate{TIndex}(ReadOnlySpan{float}, int, int, int, ReadOnlySpan{float}, TIndex, ReadOnlySpan{float}, Span{float}, int, int, int, int, int)"/>
    /// computes them): each (output, input) channel pair of the weight gradient is still summed over the same samples in the same order.
    /// </summary>
    private void BackwardDirect(int slot, bool wide)
    {
        if (!SlotGradients(slot, out Span<float> weightSums, out Span<float> biasSums))
        {
            weightSums.Clear();
            biasSums.Clear();
        }

        _work.SlotSamples(slot, out int s0, out int count);
        int blocks = (InChannels + 3) / 4;
        int parts = wide ? Math.Min(blocks, Math.Min(Sgemm.MaxThreads, _work.Lanes.Length)) : 1;
        if (parts == 1)
        {
            BackwardDirectChannels(slot, wide ? 0 : slot, s0, count, 0, InChannels);
        }
        else
        {
            ForkJoin.Run(new DirectBackwardPart(this, slot, s0, count, blocks), parts);
        }
    }

    /// <summary>The direct backward of the samples [s0, s0 + count) for the input channels [c0, c1), on lane <paramref name="lane"/>'s planes.</summary>
    private void BackwardDirectChannels(int slot, int lane, int s0, int count, int c0, int c1)
    {
        ConvGeometry g = _geometry;
        int inPlane = InChannels * g.InArea, outPlane = OutChannels * g.OutArea;
        int paddedPlane = (g.InH + (2 * g.PadH)) * (g.InW + (2 * g.PadW));
        float[] padded = DirectPlanes(_work.Lanes[lane], g, forInputGradient: false);
        float[]? paddedGrad = ComputeInputGradient ? DirectPlanes(_work.Lanes[lane], g, forInputGradient: true) : null;
        SlotGradients(slot, out Span<float> weightSums, out Span<float> biasSums);
        Span<float> biasGrad = c0 != 0 ? default : biasSums;
        var rotated = new DirectConv.RotatedTransposedWeight(InChannels, g.KernelH, g.KernelW);
        int padH = g.KernelH - 1 - g.PadH, padW = g.KernelW - 1 - g.PadW;
        for (int s = s0; s < s0 + count; s++)
        {
            ReadOnlySpan<float> gy = _gradOutput!.Data.AsSpan(s * outPlane, outPlane);
            ReadOnlySpan<float> image = _input!.Data.AsSpan((s * inPlane) + (c0 * g.InArea), (c1 - c0) * g.InArea);
            DirectConv.Pad(image, c1 - c0, g.InH, g.InW, g.PadH, g.PadW, padded.AsSpan(c0 * paddedPlane));
            DirectConv.AddWeightGradient(padded, InChannels, g.KernelH, g.KernelW, gy, OutChannels, g.OutH, g.OutW, weightSums, biasGrad, c0, c1);
            if (paddedGrad is not null)
            {
                DirectConv.Pad(gy, OutChannels, g.OutH, g.OutW, padH, padW, paddedGrad);
                DirectConv.Correlate(paddedGrad, OutChannels, g.KernelH, g.KernelW, Weight.Value.Data, rotated, default, _gradInput!.Data.AsSpan(s * inPlane, inPlane), InChannels, g.InH, g.InW, c0, c1);
            }
        }
    }

    /// <summary>
    /// A lane's padded planes (zero borders: fresh, and only <see cref="DirectConv.Pad"/> writes their interiors),
    /// made again when the geometry changes: the input padded by the padding, or the output gradient padded by
    /// kernel - 1 - padding.
    /// </summary>
    private float[] DirectPlanes(ConvWorkspace.Lane lane, in ConvGeometry g, bool forInputGradient)
    {
        int length = forInputGradient
            ? DirectConv.PaddedLength(OutChannels, g.OutH, g.OutW, g.KernelH - 1 - g.PadH, g.KernelW - 1 - g.PadW)
            : DirectConv.PaddedLength(InChannels, g.InH, g.InW, g.PadH, g.PadW);
        return lane.PaddedPlanes(forInputGradient, g, length);
    }

    /// <summary>One sample's forward on <see cref="DirectConv"/> (a sample of the batch), on the lane's padded planes.</summary>
    private readonly struct DirectForwardSample(Conv2d layer) : ISampleBody
    {
        public void Run(int sample, int lane)
        {
            Conv2d l = layer;
            ConvGeometry g = l._geometry;
            int inPlane = l.InChannels * g.InArea, outPlane = l.OutChannels * g.OutArea;
            float[] padded = l.DirectPlanes(l._work.Lanes[lane], g, forInputGradient: false);
            DirectConv.Pad(l._input!.Data.AsSpan(sample * inPlane, inPlane), l.InChannels, g.InH, g.InW, g.PadH, g.PadW, padded);
            DirectConv.Correlate(
                padded, l.InChannels, g.KernelH, g.KernelW, l.Weight.Value.Data, new DirectConv.ConvWeight(l.InChannels, g.KernelH, g.KernelW),
                l.Bias is null ? default : l.Bias.Value.Data, l._output!.Data.AsSpan(sample * outPlane, outPlane), l.OutChannels, g.OutH, g.OutW);
            l.FinishOneSample(sample);
        }
    }

    /// <summary>Part p of a wide slot's direct backward: a contiguous range of blocks of four input channels, on lane p.</summary>
    private readonly struct DirectBackwardPart : IForkJoinBody
    {
        private readonly Conv2d _layer;
        private readonly int _slot;
        private readonly int _s0;
        private readonly int _count;
        private readonly int _blocks;

        public DirectBackwardPart(Conv2d layer, int slot, int s0, int count, int blocks)
        {
            _layer = layer;
            _slot = slot;
            _s0 = s0;
            _count = count;
            _blocks = blocks;
        }

        public void Run(int part, int parts)
        {
            (int firstBlock, int endBlock) = ForkJoin.Share(_blocks, part, parts);
            _layer.BackwardDirectChannels(_slot, part, _s0, _count, firstBlock * 4, Math.Min(_layer.InChannels, endBlock * 4));
        }
    }
}
