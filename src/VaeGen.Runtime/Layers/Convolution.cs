using System;
using System.Collections.Generic;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using VaeGen.Runtime.Init;
using VaeGen.Runtime.Kernels;
using VaeGen.Runtime.Tensors;

namespace VaeGen.Runtime.Layers;

/// <summary>
/// What <see cref="Conv2d"/> and <see cref="ConvTranspose2d"/> share, as PyTorch's <c>_ConvNd</c> and
/// TorchSharp's <c>Convolution</c>: the hyperparameters and their checks, weight and bias with PyTorch's
/// initialisation, the input check, the sample-group workspace and the passes over its slots.
/// </summary>
/// <remarks>
/// Both layers run on the geometry of one convolution (the transposed layer on the convolution it is
/// the adjoint of): im2col columns have <c>ColumnChannels * kernel area</c> rows and multiply
/// <c>GemmChannels</c> weight rows. A subclass only says how a slot of sample groups is computed.
/// </remarks>
public abstract class Convolution : Layer
{
    private readonly Parameter[] _parameters;
    private readonly int _columnChannels;
    private readonly int _gemmChannels;

    /// <summary>The sample groups, their column matrices and the per-slot weight-gradient partials.</summary>
    private protected readonly ConvWorkspace _work = new();

    /// <summary>The input of the last forward pass.</summary>
    private protected Tensor? _input;

    /// <summary>The output buffer, reused while the batch size stays.</summary>
    private protected Tensor? _output;

    /// <summary>The input-gradient buffer, reused while the batch size stays.</summary>
    private protected Tensor? _gradInput;

    /// <summary>The gradient being propagated, set only during <see cref="Backward"/>.</summary>
    private protected Tensor? _gradOutput;

    /// <summary>The convolution geometry of the last forward pass.</summary>
    private protected ConvGeometry _geometry;

    /// <summary>
    /// The weight as the forward product reads it, packed once while the weights are held constant (the im2col paths;
    /// the tiles keep their own packing), else null. Set before the slots run, read by them.
    /// </summary>
    private protected Sgemm.PackedOperand? _packedWeight;

    /// <summary>The layers fused into this forward pass (set only during <see cref="Forward(Tensor, InferenceEpilogue)"/>).</summary>
    private InferenceEpilogue? _epilogue;

    /// <summary>Checks the hyperparameters in PyTorch's order, then creates and initialises the parameters.</summary>
    /// <param name="inChannels">Input channels.</param>
    /// <param name="outChannels">Output channels.</param>
    /// <param name="kernelSize">Kernel (h, w).</param>
    /// <param name="stride">Stride (h, w); default 1.</param>
    /// <param name="padding">Padding (h, w); default 0.</param>
    /// <param name="outputPadding">A transposed convolution's output padding; ignored otherwise.</param>
    /// <param name="dilation">Dilation (h, w); default 1.</param>
    /// <param name="bias">Whether to add a learned bias.</param>
    /// <param name="rng">The initialisation stream, or null to leave zeros.</param>
    /// <param name="init">How the parameters are drawn from <paramref name="rng"/>.</param>
    /// <param name="transposed">Whether this is the transposed layer: weight [in, out, kh, kw] instead of [out, in, kh, kw].</param>
    private protected Convolution(int inChannels, int outChannels, Size2d kernelSize, Size2d? stride, Size2d? padding, Size2d? outputPadding, Size2d? dilation, bool bias, Rng? rng, InitScheme init, bool transposed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inChannels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outChannels, 1);
        InChannels = inChannels;
        OutChannels = outChannels;
        KernelSize = kernelSize.RequireAtLeast(1, nameof(kernelSize));
        Stride = (stride ?? 1).RequireAtLeast(1, nameof(stride));
        Padding = (padding ?? 0).RequireAtLeast(0, nameof(padding));
        TransposedOutputPadding = transposed ? (outputPadding ?? 0).RequireAtLeast(0, nameof(outputPadding)) : 0;
        Dilation = (dilation ?? 1).RequireAtLeast(1, nameof(dilation));
        Size2d op = TransposedOutputPadding;
        if ((op.H >= Stride.H && op.H >= Dilation.H) || (op.W >= Stride.W && op.W >= Dilation.W))
        {
            // The same rule PyTorch enforces: a larger output_padding would add rows no input reaches.
            throw new ArgumentException($"output_padding {op} must be smaller than either stride {Stride} or dilation {Dilation}.", nameof(outputPadding));
        }

        (_columnChannels, _gemmChannels) = transposed ? (outChannels, inChannels) : (inChannels, outChannels);
        var parameters = new WeightAndBias(
            transposed ? [inChannels, outChannels, KernelSize.H, KernelSize.W] : [outChannels, inChannels, KernelSize.H, KernelSize.W],
            outChannels, bias, rng, init);
        (Weight, Bias, _parameters) = (parameters.Weight, parameters.Bias, parameters.All);
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

    /// <summary>The weight: [out, in, kh, kw] for a convolution, [in, out, kh, kw] for a transposed one (PyTorch's layouts).</summary>
    public Parameter Weight { get; }

    /// <summary>The bias [out], or null.</summary>
    public Parameter? Bias { get; }

    /// <inheritdoc />
    public override IReadOnlyList<Parameter> Parameters => _parameters;

    /// <summary>The column-matrix floats per sample group, or null for the default policy (tests lower it to exercise grouping).</summary>
    internal long? ColumnBudget { get; set; }

    /// <summary>The output padding of a transposed convolution; (0, 0) for a convolution.</summary>
    private protected Size2d TransposedOutputPadding { get; }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank != 4 || input.Dim(1) != InChannels)
        {
            throw new ArgumentException($"{GetType().Name} expects [N, {InChannels}, H, W], got {input.ShapeString()}.", nameof(input));
        }

        int n = input.Dim(0);
        ConvGeometry g = Geometry(input.Dim(2), input.Dim(3), out Size2d outSize);
        _geometry = g;
        _input = input;
        ReadOnlySpan<int> outputShape = [n, OutChannels, outSize.H, outSize.W];
        _output = _epilogue is null ? Tensor.Reuse(_output, outputShape) : _epilogue.Prepare(outputShape);
        int rows = _columnChannels * g.KernelArea;
        _work.Ensure(n, rows, g.OutArea, _gemmChannels, PlaneIm2Col.PlaneLength(g), (_gemmChannels * rows) + OutChannels, ColumnBudget, UsesColumns(g));
        if (WeightsConstant)
        {
            // Null whenever the weights may change: letting them change drops it (DropWeightPacks).
            _packedWeight ??= new();
        }

        PrepareForward(g);
        _work.Run(new Pass(this, backward: false), (long)_gemmChannels * rows * g.OutArea * n, ForwardUnits(g));
        return _output;
    }

    /// <summary>
    /// The forward pass with the evaluation-mode layers after it applied to each sample as soon as it is done, in the
    /// buffer the last of them would have returned (see <see cref="InferenceEpilogue"/>). The layer's own output buffer
    /// is left alone.
    /// </summary>
    /// <param name="input">The input.</param>
    /// <param name="epilogue">The layers fused into the pass.</param>
    internal Tensor Forward(Tensor input, InferenceEpilogue epilogue)
    {
        Tensor? own = _output;
        _epilogue = epilogue;
        try
        {
            return Forward(input);
        }
        finally
        {
            _epilogue = null;
            _output = own;
        }
    }

    /// <summary>The input of the last forward pass, for <see cref="InferenceEpilogue.RunLayers"/>.</summary>
    internal Tensor LastInput => RequireForward(_input);

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
        int rows = _columnChannels * g.KernelArea;
        _gradOutput = gradOutput;
        if (ComputeInputGradient)
        {
            _gradInput = Tensor.Reuse(_gradInput, input.Shape);
        }

        long multiplyAdds = (long)_gemmChannels * rows * g.OutArea * n * (ComputeInputGradient ? 2 : 1);
        PrepareBackward(g);
        _work.Run(new Pass(this, backward: true), multiplyAdds);
        _gradOutput = null;
        _work.AddSlotPartials(Weight.Grad.Span, Bias is null ? Span<float>.Empty : Bias.Grad.Span);
        return ComputeInputGradient ? _gradInput! : NoInputGradient;
    }

    /// <summary>The convolution geometry the layer runs on for an input of (h, w), and the layer's output size.</summary>
    /// <param name="inH">Input height.</param>
    /// <param name="inW">Input width.</param>
    /// <param name="outSize">The output (h, w).</param>
    private protected abstract ConvGeometry Geometry(int inH, int inW, out Size2d outSize);

    /// <summary>
    /// Where slot <paramref name="slot"/> sums its weight and bias gradients: slot 0 straight into the parameters'
    /// gradients, a later slot into its partial sums, which <see cref="ConvWorkspace.AddSlotPartials"/> then adds in slot
    /// order. Slot 0's sums are the same bits either way after zero_grad (0 + x is x), and the partial they no longer need
    /// was a second copy of every weight (9 MiB for VanillaVAE's 256 -> 512 layer alone).
    /// </summary>
    /// <param name="slot">The slot.</param>
    /// <param name="weight">Its weight-gradient sums.</param>
    /// <param name="bias">Its bias-gradient sums (empty without a bias).</param>
    /// <returns>Whether the sums already hold gradients to add to (slot 0), rather than being the slot's own.</returns>
    private protected bool SlotGradients(int slot, out Span<float> weight, out Span<float> bias)
    {
        if (slot == 0)
        {
            weight = Weight.Grad.Span;
            bias = Bias is null ? Span<float>.Empty : Bias.Grad.Span;
            return true;
        }

        float[] partial = _work.Partial[slot];
        weight = partial.AsSpan(0, Weight.Value.Length);
        bias = Bias is null ? Span<float>.Empty : partial.AsSpan(Weight.Value.Length, OutChannels);
        return false;
    }

    /// <inheritdoc />
    private protected override void DropWeightPacks() => _packedWeight = null;

    /// <summary>Whether the passes of this geometry use the workspace's column and staging buffers (by default they do).</summary>
    /// <param name="g">The geometry.</param>
    private protected virtual bool UsesColumns(in ConvGeometry g) => true;

    /// <summary>What a forward pass needs once, before its slots run on their threads (packed weights, say); nothing by default.</summary>
    /// <param name="g">The pass's geometry.</param>
    private protected virtual void PrepareForward(in ConvGeometry g)
    {
    }

    /// <summary>What a backward pass needs once, before its slots run on their threads (packed weights, say); nothing by default.</summary>
    /// <param name="g">The pass's geometry.</param>
    private protected virtual void PrepareBackward(in ConvGeometry g)
    {
    }

    /// <summary>Computes the outputs of the sample groups of one slot.</summary>
    /// <param name="slot">The slot, 0 or 1.</param>
    /// <param name="wide">Whether the slot spreads its work over every thread (see <see cref="ConvWorkspace.Run"/>).</param>
    private protected abstract void ForwardSlot(int slot, bool wide);

    /// <summary>What the forward's slots take with <see cref="ConvWorkspace.TakeUnit"/>: its sample groups, unless a path works sample by sample.</summary>
    /// <param name="g">The pass's geometry.</param>
    private protected virtual SlotUnits ForwardUnits(in ConvGeometry g) => SlotUnits.Groups;

    /// <summary>Computes the gradients of the sample groups of one slot: the input gradient and the slot's weight and bias partials.</summary>
    /// <param name="slot">The slot, 0 or 1.</param>
    /// <param name="wide">Whether the slot spreads its work over every thread (see <see cref="ConvWorkspace.Run"/>).</param>
    private protected abstract void BackwardSlot(int slot, bool wide);

    /// <summary>
    /// A forward that works sample by sample (on <see cref="DirectConv"/>, <see cref="PixelTileConv"/> or <see cref="PhaseTileConv"/>): a wide slot
    /// spreads its samples over every thread, a slot on a thread of its own takes them one by one (<see cref="ConvWorkspace.TakeUnit"/>).
    /// </summary>
    /// <param name="body">The per-sample forward, given a sample of the batch.</param>
    private protected void ForwardBySample<T>(in T body, int slot, bool wide)
        where T : struct, ISampleBody
    {
        if (wide)
        {
            _work.SlotSamples(slot, out int s0, out int count);
            _work.ForEachSample(new OffsetSample<T>(body, s0), count, slot, wide);
            return;
        }

        while (_work.TakeUnit(slot, out int sample))
        {
            body.Run(sample, slot);
        }
    }

    /// <summary>The fused layers' pass (if any) over the finished output samples [s0, s0 + count), spread as the slot's other per-sample work.</summary>
    private protected void FinishSamples(int s0, int count, int slot, bool wide)
    {
        if (_epilogue is not null)
        {
            _work.ForEachSample(new FinishSample(this, s0), count, slot, wide);
        }
    }

    /// <summary>The fused layers' pass (if any) over output sample <paramref name="sample"/>, which the calling thread has just finished.</summary>
    private protected void FinishOneSample(int sample) => _epilogue?.Apply(sample);

    /// <summary>
    /// im2col of the images [s0, s0 + count) of <paramref name="images"/> (planes of <paramref name="channels"/> channels of
    /// this layer's geometry's input) into the slot's column matrix, sample j at column j * area.
    /// </summary>
    private protected void GatherSamples(float[] images, int channels, int s0, int count, in SlotSizes sizes, int slot, bool wide) =>
        _work.ForEachSampleChannels(new GatherSample(_work, images, channels, s0, sizes), count, channels, slot, wide);

    /// <summary>
    /// The images [s0, s0 + count) of an NCHW batch (<paramref name="channels"/> channels of <paramref name="area"/>
    /// floats) into the slot's staging buffer in channel-major order, [channels, count * area].
    /// </summary>
    private protected void StageSamples(float[] images, int channels, int area, int s0, int count, in SlotSizes sizes, int slot, bool wide) =>
        _work.ForEachSample(new StageSample(images, channels, area, s0, count, sizes.Staging, toBatch: false, bias: null), count, slot, wide);

    /// <summary>
    /// The slot's staging buffer, [channels, count * area], back to the images [s0, s0 + count) of an NCHW batch, plus
    /// <paramref name="bias"/> per channel when it is not null.
    /// </summary>
    private protected void UnstageSamples(float[] images, int channels, int area, int s0, int count, float[]? bias, in SlotSizes sizes, int slot, bool wide) =>
        _work.ForEachSample(new StageSample(images, channels, area, s0, count, sizes.Staging, toBatch: true, bias), count, slot, wide);

    /// <summary>
    /// col2im of the slot's column matrix onto the images [s0, s0 + count) of <paramref name="images"/>, each overwritten
    /// (plus <paramref name="bias"/> per channel when it is not null).
    /// </summary>
    private protected void ScatterSamples(float[] images, int channels, int s0, int count, in SlotSizes sizes, float[]? bias, int slot, bool wide) =>
        _work.ForEachSampleChannels(new ScatterSample(_work, images, channels, s0, sizes, bias), count, channels, slot, wide);

    /// <summary>
    /// What every slot pass of either convolution starts from: the geometry, the column rows, the
    /// geometry's output area, one sample's input and output plane of this layer, the slot's buffers
    /// and its sample groups. One place, so Conv2d and ConvTranspose2d cannot set up a slot differently.
    /// </summary>
    /// <param name="slot">The slot, 0 or 1.</param>
    private protected SlotSizes SlotSetup(int slot)
    {
        ConvGeometry g = _geometry;
        Tensor input = _input!;
        Tensor output = _output!;
        _work.SlotGroups(slot, out int firstGroup, out int endGroup);
        return new SlotSizes(
            g,
            _columnChannels * g.KernelArea,
            g.OutArea,
            InChannels * input.Dim(2) * input.Dim(3),
            OutChannels * output.Dim(2) * output.Dim(3),
            _work.Columns[slot],
            _work.Staging[slot],
            _work.Ld,
            firstGroup,
            endGroup);
    }

    /// <summary>Adds the per-channel sums of a [C, area] gradient block to the bias gradient.</summary>
    private protected static void AccumulateBiasGrad(ReadOnlySpan<float> gy, Span<float> biasGrad, int area)
    {
        for (int c = 0; c < biasGrad.Length; c++)
        {
            biasGrad[c] += TensorPrimitives.Sum(gy.Slice(c * area, area));
        }
    }

    private readonly struct Pass : ISlotPass
    {
        private readonly Convolution _layer;
        private readonly bool _backward;

        public Pass(Convolution layer, bool backward)
        {
            _layer = layer;
            _backward = backward;
        }

        public void RunSlot(int slot, bool wide)
        {
            if (_backward)
            {
                _layer.BackwardSlot(slot, wide);
            }
            else
            {
                _layer.ForwardSlot(slot, wide);
            }
        }
    }

    /// <summary>A per-sample body given the samples of a range from its start, for <see cref="ConvWorkspace.ForEachSample"/>.</summary>
    private readonly struct OffsetSample<T>(T body, int s0) : ISampleBody
        where T : struct, ISampleBody
    {
        public void Run(int sample, int lane) => body.Run(s0 + sample, lane);
    }

    /// <summary>One sample's forward on a tile pass (a sample of the batch), then the fused layers' pass over it.</summary>
    private protected readonly struct TileForwardSample(Convolution layer, ITilePass pass) : ISampleBody
    {
        public void Run(int sample, int lane)
        {
            Tensor input = layer._input!, output = layer._output!;
            int inPlane = input.Length / input.Dim(0), outPlane = output.Length / output.Dim(0);
            pass.Run(
                layer._work.Lanes[lane], input.Data.AsSpan(sample * inPlane, inPlane), layer.Bias is null ? default : layer.Bias.Value.Data,
                output.Data.AsSpan(sample * outPlane, outPlane));
            layer.FinishOneSample(sample);
        }
    }

    /// <summary>One sample's input gradient on a tile pass (sample s0 + j of the batch): the output gradient in, no bias.</summary>
    private protected readonly struct TileInputGradientSample(Convolution layer, ITilePass pass, int s0) : ISampleBody
    {
        public void Run(int sample, int lane)
        {
            Tensor gradOutput = layer._gradOutput!, gradInput = layer._gradInput!;
            int outPlane = gradOutput.Length / gradOutput.Dim(0), inPlane = gradInput.Length / gradInput.Dim(0), s = s0 + sample;
            pass.Run(layer._work.Lanes[lane], gradOutput.Data.AsSpan(s * outPlane, outPlane), default, gradInput.Data.AsSpan(s * inPlane, inPlane));
        }
    }

    private readonly struct FinishSample(Convolution layer, int s0) : ISampleBody
    {
        public void Run(int sample, int lane) => layer.FinishOneSample(s0 + sample);
    }

    /// <summary>The image planes one sample's im2col or col2im reads or writes: one sample of an NCHW batch.</summary>
    private readonly struct SamplePlanes
    {
        private readonly float[] _images;
        private readonly int _plane;
        private readonly int _s0;

        public SamplePlanes(float[] images, int plane, int s0)
        {
            _images = images;
            _plane = plane;
            _s0 = s0;
        }

        public Span<float> Of(int sample) => _images.AsSpan((_s0 + sample) * _plane, _plane);
    }

    private readonly struct GatherSample : ISampleChannelBody
    {
        private readonly ConvWorkspace _work;
        private readonly SamplePlanes _images;
        private readonly SlotSizes _sizes;

        public GatherSample(ConvWorkspace work, float[] images, int channels, int s0, in SlotSizes sizes)
        {
            _work = work;
            _images = new SamplePlanes(images, channels * sizes.Geometry.InArea, s0);
            _sizes = sizes;
        }

        public void Run(int sample, int firstChannel, int endChannel, int lane)
        {
            int inArea = _sizes.Geometry.InArea, columnRows = _sizes.Geometry.KernelArea * _sizes.Ld;
            PlaneIm2Col.Gather(
                _images.Of(sample).Slice(firstChannel * inArea, (endChannel - firstChannel) * inArea), endChannel - firstChannel, _sizes.Geometry,
                _sizes.Columns.AsSpan(firstChannel * columnRows, (endChannel - firstChannel) * columnRows), _sizes.Ld, sample * _sizes.Area, _work.Lanes[lane].GatherPlane);
        }
    }

    /// <summary>One sample of <see cref="StageSamples"/> or <see cref="UnstageSamples"/>.</summary>
    private readonly struct StageSample : ISampleBody
    {
        private readonly float[] _images;
        private readonly int _channels;
        private readonly int _area;
        private readonly int _s0;
        private readonly int _count;
        private readonly float[] _staging;
        private readonly bool _toBatch;
        private readonly float[]? _bias;

        public StageSample(float[] images, int channels, int area, int s0, int count, float[] staging, bool toBatch, float[]? bias)
        {
            _images = images;
            _channels = channels;
            _area = area;
            _s0 = s0;
            _count = count;
            _staging = staging;
            _toBatch = toBatch;
            _bias = bias;
        }

        public void Run(int sample, int lane)
        {
            Span<float> batch = _images.AsSpan(_s0 * _channels * _area, _count * _channels * _area);
            if (_toBatch)
            {
                ChannelMajor.ToBatch(_staging, _count, _channels, _area, _bias, batch, sample, sample + 1);
            }
            else
            {
                ChannelMajor.FromBatch(batch, _count, _channels, _area, _staging, sample, sample + 1);
            }
        }
    }

    private readonly struct ScatterSample : ISampleChannelBody
    {
        private readonly ConvWorkspace _work;
        private readonly SamplePlanes _images;
        private readonly SlotSizes _sizes;
        private readonly float[]? _bias;

        public ScatterSample(ConvWorkspace work, float[] images, int channels, int s0, in SlotSizes sizes, float[]? bias)
        {
            _work = work;
            _images = new SamplePlanes(images, channels * sizes.Geometry.InArea, s0);
            _sizes = sizes;
            _bias = bias;
        }

        public void Run(int sample, int firstChannel, int endChannel, int lane)
        {
            int inArea = _sizes.Geometry.InArea, columnRows = _sizes.Geometry.KernelArea * _sizes.Ld;
            PlaneIm2Col.Scatter(
                _sizes.Columns.AsSpan(firstChannel * columnRows, (endChannel - firstChannel) * columnRows), _sizes.Ld, sample * _sizes.Area, endChannel - firstChannel, _sizes.Geometry,
                _images.Of(sample).Slice(firstChannel * inArea, (endChannel - firstChannel) * inArea), _work.Lanes[lane].ScatterPlane,
                _bias is null ? default : _bias.AsSpan(firstChannel, endChannel - firstChannel));
        }
    }
}

/// <summary>The set-up of one slot pass (see <c>Convolution.SlotSetup</c>).</summary>
/// <param name="Geometry">The convolution geometry.</param>
/// <param name="Rows">Rows of the column matrix (column channels x kernel area).</param>
/// <param name="Area">The geometry's output area.</param>
/// <param name="InPlane">Floats of one sample of the layer's input.</param>
/// <param name="OutPlane">Floats of one sample of the layer's output.</param>
/// <param name="Columns">The slot's column matrix.</param>
/// <param name="Staging">The slot's staging buffer.</param>
/// <param name="Ld">Leading dimension of the column matrix.</param>
/// <param name="FirstGroup">The slot's first sample group.</param>
/// <param name="EndGroup">One past the slot's last sample group.</param>
internal readonly record struct SlotSizes(ConvGeometry Geometry, int Rows, int Area, int InPlane, int OutPlane, float[] Columns, float[] Staging, int Ld, int FirstGroup, int EndGroup);

