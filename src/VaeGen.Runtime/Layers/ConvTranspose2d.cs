using System;
using VaeGen.Runtime.Init;
using VaeGen.Runtime.Kernels;
using VaeGen.Runtime.Tensors;
using VaeGen.Shapes;

namespace VaeGen.Runtime.Layers;

/// <summary>
/// Transposed 2-D convolution as <c>torch.nn.ConvTranspose2d</c> (groups = 1): weight [in, out, kh, kw],
/// bias [out]. Input [N, in, H, W], output [N, out, (H-1)s - 2p + d(k-1) + output_padding + 1, ...].
/// </summary>
/// <remarks>
/// It is the adjoint of a convolution from the output back to the input, so its forward pass is
/// a convolution's input-gradient pass (GEMM with W^T, then col2im) and its input gradient is a
/// convolution forward (im2col, then GEMM with W). Sample groups are spread over threads as in
/// <see cref="Conv2d"/> (see <see cref="ConvWorkspace"/>). The forward to a multiple of 32 channels
/// (a decoder's middle layers) runs on <see cref="PhaseTileConv"/> instead: one stride-1 tile pass per
/// output phase, without the column matrix and col2im; the input gradient, to a multiple of 32 input
/// channels, on <see cref="PixelTileConv"/>, without its product (the columns stay, for the weight gradient).
/// </remarks>
public sealed class ConvTranspose2d : Convolution
{
    /// <summary>Creates the layer; with <paramref name="rng"/> the parameters get PyTorch's default initialisation, else zeros.</summary>
    /// <param name="inChannels">Input channels.</param>
    /// <param name="outChannels">Output channels.</param>
    /// <param name="kernelSize">Kernel (h, w).</param>
    /// <param name="stride">Stride (h, w); default 1.</param>
    /// <param name="padding">Padding (h, w) removed from the output; default 0.</param>
    /// <param name="outputPadding">Extra size added on one side of the output; must be smaller than stride or dilation.</param>
    /// <param name="dilation">Dilation (h, w); default 1.</param>
    /// <param name="bias">Whether to add a learned bias.</param>
    /// <param name="rng">The initialisation stream, or null to leave zeros.</param>
    /// <param name="init">How the parameters are drawn from <paramref name="rng"/> (spec 1.1 <c>init:</c>); PyTorch's default unless said.</param>
    public ConvTranspose2d(int inChannels, int outChannels, Size2d kernelSize, Size2d? stride = null, Size2d? padding = null, Size2d? outputPadding = null, Size2d? dilation = null, bool bias = true, Rng? rng = null, InitScheme init = InitScheme.PyTorch)
        : base(inChannels, outChannels, kernelSize, stride, padding, outputPadding, dilation, bias, rng, init, transposed: true)
    {
    }

    /// <summary>Output padding (h, w).</summary>
    public Size2d OutputPadding => TransposedOutputPadding;

    /// <summary>PyTorch's transposed-convolution output size: (in - 1)s - 2p + d(k - 1) + output_padding + 1.</summary>
    /// <param name="input">Input size.</param>
    /// <param name="kernel">Kernel size.</param>
    /// <param name="stride">Stride.</param>
    /// <param name="padding">Padding.</param>
    /// <param name="outputPadding">Output padding.</param>
    /// <param name="dilation">Dilation.</param>
    public static int TransposedOutput(int input, int kernel, int stride, int padding, int outputPadding, int dilation)
    {
        int size = checked((int)ShapeFormulas.TransposedConvolution(input, kernel, stride, padding, outputPadding, dilation));
        if (size < 1)
        {
            throw new ArgumentException($"ConvTranspose2d output size {size} is not positive for input size {input}.");
        }

        return size;
    }

    /// <summary>The output (h, w) for an input of (h, w).</summary>
    /// <param name="inH">Input height.</param>
    /// <param name="inW">Input width.</param>
    public Size2d OutputSize(int inH, int inW) => new(
        TransposedOutput(inH, KernelSize.H, Stride.H, Padding.H, OutputPadding.H, Dilation.H),
        TransposedOutput(inW, KernelSize.W, Stride.W, Padding.W, OutputPadding.W, Dilation.W));

    private protected override ConvGeometry Geometry(int inH, int inW, out Size2d outSize)
    {
        outSize = OutputSize(inH, inW);

        // The convolution this layer transposes maps the output size back to the input size.
        return new ConvGeometry(outSize.H, outSize.W, KernelSize.H, KernelSize.W, Stride.H, Stride.W, Padding.H, Padding.W, Dilation.H, Dilation.W, inH, inW);
    }

    private protected override void ForwardSlot(int slot, bool wide)
    {
        if (UseTiles(_geometry))
        {
            ForwardBySample(new TileForwardSample(this, _tiles), slot, wide);
            return;
        }

        Tensor input = _input!;
        Tensor output = _output!;
        SlotSizes sizes = SlotSetup(slot);
        (_, int rows, int area, int inPlane, _, float[] columns, float[] staging, int ld, _, _) = sizes;
        float[]? bias = Bias?.Value.Data;

        // Groups move between the slots' threads (ConvWorkspace.TakeUnit): this thread's packing buffers are made before
        // it takes any, so a group it first computes in a later pass allocates nothing.
        Sgemm.ThreadPackBuffers();
        Sgemm.Parallelism split = ConvWorkspace.ProductSplit(wide);
        while (_work.TakeUnit(slot, out int group))
        {
            _work.GroupSamples(group, out int s0, out int count);
            int width = count * area;
            StageSamples(input.Data, InChannels, area, s0, count, sizes, slot, wide);

            // cols[out*kk, samples * HW] = W[in, out*kk]^T * x[in, samples * HW]
            Sgemm.Multiply(true, false, rows, width, InChannels, Weight.Value.Data, rows, staging, width, columns, ld, accumulate: false, split, packedA: _packedWeight);
            ScatterSamples(output.Data, OutChannels, s0, count, sizes, bias, slot, wide);
            FinishSamples(s0, count, slot, wide);
        }
    }

    private protected override void BackwardSlot(int slot, bool wide)
    {
        Tensor input = _input!;
        Tensor gradOutput = _gradOutput!;
        SlotSizes sizes = SlotSetup(slot);
        (ConvGeometry g, int rows, int area, int inPlane, int outPlane, float[] columns, float[] staging, int ld, int firstGroup, int endGroup) = sizes;
        bool addsToGradients = SlotGradients(slot, out Span<float> weightSums, out Span<float> biasSums);
        Sgemm.Parallelism split = ConvWorkspace.ProductSplit(wide);
        bool inputGradientTiles = UseInputGradientTiles(g);
        for (int group = firstGroup; group < endGroup; group++)
        {
            bool starts = group == firstGroup && !addsToGradients;
            _work.GroupSamples(group, out int s0, out int count);
            int width = count * area;
            GatherSamples(gradOutput.Data, OutChannels, s0, count, sizes, slot, wide);
            if (Bias is not null)
            {
                if (starts)
                {
                    biasSums.Clear();
                }

                for (int j = 0; j < count; j++)
                {
                    AccumulateBiasGrad(gradOutput.Data.AsSpan((s0 + j) * outPlane, outPlane), biasSums, g.InArea);
                }
            }

            if (inputGradientTiles)
            {
                _work.ForEachSample(new TileInputGradientSample(this, _inputGradientTiles, s0), count, slot, wide);
            }
            else if (ComputeInputGradient)
            {
                // dX[in, samples * HW] = W[in, out*kk] * cols[out*kk, samples * HW]
                Sgemm.Multiply(false, false, InChannels, width, rows, Weight.Value.Data, rows, columns, ld, staging, width, accumulate: false, split);
                UnstageSamples(_gradInput!.Data, InChannels, area, s0, count, bias: null, sizes, slot, wide);
            }

            // dW[in, out*kk] (+)= x[in, samples * HW] * cols[out*kk, samples * HW]^T
            StageSamples(input.Data, InChannels, area, s0, count, sizes, slot, wide);
            Sgemm.Multiply(false, true, InChannels, rows, width, staging, width, columns, ld, weightSums, rows, accumulate: !starts, split);
        }
    }

    /// <summary>
    /// Whether the forward may run on <see cref="PhaseTileConv"/> and the input gradient on <see cref="PixelTileConv"/>
    /// (tests and benchmarks turn them off to compare with GEMM + col2im and im2col + GEMM).
    /// </summary>
    internal bool AllowTiles { get; set; } = true;

    /// <summary>The forward on tiles.</summary>
    private readonly PhaseTilePass _tiles = new(onGradients: false);

    /// <summary>The input gradient on tiles.</summary>
    private readonly PixelTilePass _inputGradientTiles = new(onGradients: true);

    /// <summary>
    /// Whether the input gradient runs on <see cref="PixelTileConv"/>: it is the convolution of the output gradient by the
    /// same weight ([in, out, kh, kw] is a convolution's [out, in, kh, kw] from this layer's output channels to its input's).
    /// Against its product, per layer (a throwaway probe, batch 32, medians of 15 interleaved rounds, one and two
    /// threads): backward 1.02-1.09x for seed002_rgb64's and VanillaVAE's middle layers, 1.10-1.18x for fashion_conv's
    /// (batch 128); VanillaVAE's last, 32 -> 32 to 64x64, 0.98-0.99x. Training steps 1.017x (seed002_rgb64), 1.029x
    /// (VanillaVAE), 1.024x (fashion_conv).
    /// </summary>
    private bool UseInputGradientTiles(in ConvGeometry g) => AllowTiles && ComputeInputGradient && PixelTileConv.Applies(g, OutChannels, InChannels);

    /// <summary>Whether an input of (h, w) runs its input gradient on tiles, for tests that must cover both paths.</summary>
    internal bool UsesInputGradientTiles(int inH, int inW) => UseInputGradientTiles(Geometry(inH, inW, out _));

    /// <summary>Packs the weight for the input gradient's tiles.</summary>
    private protected override void PrepareBackward(in ConvGeometry g)
    {
        if (UseInputGradientTiles(g))
        {
            _inputGradientTiles.Prepare(g, OutChannels, InChannels, Weight.Value.Data, WeightsConstant, _work.Lanes);
        }
    }

    private bool UseTiles(in ConvGeometry g) => AllowTiles && PhaseTileConv.Applies(g, InChannels, OutChannels);

    /// <summary>Whether an input of (h, w) runs its forward on tiles, for tests that must cover both paths.</summary>
    internal bool UsesTiles(int inH, int inW) => UseTiles(Geometry(inH, inW, out _));

    /// <inheritdoc />
    private protected override SlotUnits ForwardUnits(in ConvGeometry g) => UseTiles(g) ? SlotUnits.Samples : SlotUnits.Groups;

    /// <summary>Plans the phases for a new geometry, packs their weights (once while the weights are held constant) and makes every lane's scratch.</summary>
    private protected override void PrepareForward(in ConvGeometry g)
    {
        if (UseTiles(g))
        {
            _tiles.Prepare(g, InChannels, OutChannels, Weight.Value.Data, WeightsConstant, _work.Lanes);
        }
    }

    /// <inheritdoc />
    private protected override void DropWeightPacks()
    {
        base.DropWeightPacks();
        _tiles.Drop();
        _inputGradientTiles.Drop();
    }
}
