using System;
using System.Collections.Generic;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using VaeGen.Runtime.Init;
using VaeGen.Runtime.Kernels;
using VaeGen.Runtime.Tensors;

namespace VaeGen.Runtime.Layers;

/// <summary>
/// Transposed 2-D convolution as <c>torch.nn.ConvTranspose2d</c> (groups = 1): weight [in, out, kh, kw],
/// bias [out]. Input [N, in, H, W], output [N, out, (H-1)s - 2p + d(k-1) + output_padding + 1, ...].
/// </summary>
/// <remarks>
/// It is the adjoint of a convolution from the output back to the input, so its forward pass is
/// a convolution's input-gradient pass (GEMM with W^T, then col2im) and its input gradient is a
/// convolution forward (im2col, then GEMM with W). Sample groups run on two threads as in
/// <see cref="Conv2d"/> (see <see cref="ConvWorkspace"/>).
/// </remarks>
public sealed class ConvTranspose2d : Layer
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
    /// <param name="padding">Padding (h, w) removed from the output; default 0.</param>
    /// <param name="outputPadding">Extra size added on one side of the output; must be smaller than stride or dilation.</param>
    /// <param name="dilation">Dilation (h, w); default 1.</param>
    /// <param name="bias">Whether to add a learned bias.</param>
    /// <param name="rng">The initialisation stream, or null to leave zeros.</param>
    public ConvTranspose2d(int inChannels, int outChannels, Size2d kernelSize, Size2d? stride = null, Size2d? padding = null, Size2d? outputPadding = null, Size2d? dilation = null, bool bias = true, Rng? rng = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inChannels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outChannels, 1);
        InChannels = inChannels;
        OutChannels = outChannels;
        KernelSize = kernelSize.RequireAtLeast(1, nameof(kernelSize));
        Stride = (stride ?? 1).RequireAtLeast(1, nameof(stride));
        Padding = (padding ?? 0).RequireAtLeast(0, nameof(padding));
        OutputPadding = (outputPadding ?? 0).RequireAtLeast(0, nameof(outputPadding));
        Dilation = (dilation ?? 1).RequireAtLeast(1, nameof(dilation));
        if ((OutputPadding.H >= Stride.H && OutputPadding.H >= Dilation.H) || (OutputPadding.W >= Stride.W && OutputPadding.W >= Dilation.W))
        {
            // The same rule PyTorch enforces: a larger output_padding would add rows no input reaches.
            throw new ArgumentException($"output_padding {OutputPadding} must be smaller than either stride {Stride} or dilation {Dilation}.", nameof(outputPadding));
        }

        Weight = new Parameter("weight", inChannels, outChannels, KernelSize.H, KernelSize.W);
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

    /// <summary>Output padding (h, w).</summary>
    public Size2d OutputPadding { get; }

    /// <summary>Dilation (h, w).</summary>
    public Size2d Dilation { get; }

    /// <summary>The weight [in, out, kh, kw].</summary>
    public Parameter Weight { get; }

    /// <summary>The bias [out], or null.</summary>
    public Parameter? Bias { get; }

    /// <inheritdoc />
    public override IReadOnlyList<Parameter> Parameters => _parameters;

    /// <summary>The column-matrix floats per sample group, or null for the default policy (tests lower it to exercise grouping).</summary>
    internal long? ColumnBudget { get; set; }

    /// <summary>PyTorch's transposed-convolution output size: (in - 1)s - 2p + d(k - 1) + output_padding + 1.</summary>
    /// <param name="input">Input size.</param>
    /// <param name="kernel">Kernel size.</param>
    /// <param name="stride">Stride.</param>
    /// <param name="padding">Padding.</param>
    /// <param name="outputPadding">Output padding.</param>
    /// <param name="dilation">Dilation.</param>
    public static int TransposedOutput(int input, int kernel, int stride, int padding, int outputPadding, int dilation)
    {
        int size = ((input - 1) * stride) - (2 * padding) + (dilation * (kernel - 1)) + outputPadding + 1;
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

    /// <inheritdoc />
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank != 4 || input.Dim(1) != InChannels)
        {
            throw new ArgumentException($"ConvTranspose2d expects [N, {InChannels}, H, W], got {input.ShapeString()}.", nameof(input));
        }

        int n = input.Dim(0);
        Size2d outSize = OutputSize(input.Dim(2), input.Dim(3));

        // The convolution this layer transposes maps the output size back to the input size.
        var g = new ConvGeometry(outSize.H, outSize.W, KernelSize.H, KernelSize.W, Stride.H, Stride.W, Padding.H, Padding.W, Dilation.H, Dilation.W, input.Dim(2), input.Dim(3));

        _geometry = g;
        _input = input;
        _output = Tensor.Reuse(_output, [n, OutChannels, outSize.H, outSize.W]);
        int rows = OutChannels * g.KernelArea;
        _work.Ensure(n, rows, g.OutArea, InChannels, PlaneIm2Col.PlaneLength(g), (InChannels * rows) + OutChannels, ColumnBudget);
        ConvWorkspace.Run(new Pass(this, backward: false), (long)InChannels * rows * g.OutArea * n);
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
        int rows = OutChannels * g.KernelArea;
        _gradOutput = gradOutput;
        if (ComputeInputGradient)
        {
            _gradInput = Tensor.Reuse(_gradInput, input.Shape);
        }

        long multiplyAdds = (long)InChannels * rows * g.OutArea * n * (ComputeInputGradient ? 2 : 1);
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
        int rows = OutChannels * g.KernelArea;
        int area = g.OutArea;
        int inPlane = InChannels * area;
        int outPlane = OutChannels * g.InArea;
        float[] columns = _work.Columns[slot];
        float[] staging = _work.Staging[slot];
        int ld = _work.Ld;
        ReadOnlySpan<float> bias = Bias is null ? default : Bias.Value.Data;
        _work.SlotGroups(slot, out int firstGroup, out int endGroup);
        for (int group = firstGroup; group < endGroup; group++)
        {
            _work.GroupSamples(group, out int s0, out int count);
            int width = count * area;
            ChannelMajor.FromBatch(input.Data.AsSpan(s0 * inPlane, count * inPlane), count, InChannels, area, staging);

            // cols[out*kk, samples * HW] = W[in, out*kk]^T * x[in, samples * HW]
            Sgemm.MultiplySingleThread(true, false, rows, width, InChannels, Weight.Value.Data, rows, staging, width, columns, ld, accumulate: false);
            for (int j = 0; j < count; j++)
            {
                PlaneIm2Col.Scatter(columns, ld, j * area, OutChannels, g, output.Data.AsSpan((s0 + j) * outPlane, outPlane), _work.ScatterPlane[slot], bias);
            }
        }
    }

    private void BackwardSlot(int slot)
    {
        Tensor input = _input!;
        Tensor gradOutput = _gradOutput!;
        ConvGeometry g = _geometry;
        int rows = OutChannels * g.KernelArea;
        int area = g.OutArea;
        int inPlane = InChannels * area;
        int outPlane = OutChannels * g.InArea;
        float[] columns = _work.Columns[slot];
        float[] staging = _work.Staging[slot];
        float[] partial = _work.Partial[slot];
        int weights = InChannels * rows;
        int ld = _work.Ld;
        _work.SlotGroups(slot, out int firstGroup, out int endGroup);
        for (int group = firstGroup; group < endGroup; group++)
        {
            bool firstOfSlot = group == firstGroup;
            _work.GroupSamples(group, out int s0, out int count);
            int width = count * area;
            for (int j = 0; j < count; j++)
            {
                ReadOnlySpan<float> gy = gradOutput.Data.AsSpan((s0 + j) * outPlane, outPlane);
                PlaneIm2Col.Gather(gy, OutChannels, g, columns, ld, j * area, _work.GatherPlane[slot]);
                if (Bias is not null)
                {
                    Span<float> biasGrad = partial.AsSpan(weights, OutChannels);
                    if (firstOfSlot && j == 0)
                    {
                        biasGrad.Clear();
                    }

                    Conv2d.AccumulateBiasGrad(gy, biasGrad, g.InArea);
                }
            }

            if (ComputeInputGradient)
            {
                // dX[in, samples * HW] = W[in, out*kk] * cols[out*kk, samples * HW]
                Sgemm.MultiplySingleThread(false, false, InChannels, width, rows, Weight.Value.Data, rows, columns, ld, staging, width, accumulate: false);
                ChannelMajor.ToBatch(staging, count, InChannels, area, _gradInput!.Data.AsSpan(s0 * inPlane, count * inPlane));
            }

            // dW[in, out*kk] (+)= x[in, samples * HW] * cols[out*kk, samples * HW]^T
            ChannelMajor.FromBatch(input.Data.AsSpan(s0 * inPlane, count * inPlane), count, InChannels, area, staging);
            Sgemm.MultiplySingleThread(false, true, InChannels, rows, width, staging, width, columns, ld, partial, rows, accumulate: !firstOfSlot);
        }
    }

    private readonly struct Pass : IForkJoinBody
    {
        private readonly ConvTranspose2d _layer;
        private readonly bool _backward;

        public Pass(ConvTranspose2d layer, bool backward)
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
