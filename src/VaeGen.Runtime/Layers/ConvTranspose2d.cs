using System;
using System.Collections.Generic;
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
/// convolution forward (im2col, then GEMM with W).
/// </remarks>
public sealed class ConvTranspose2d : Layer
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

    /// <summary>The im2col buffer limit in floats (tests lower it to exercise sample grouping).</summary>
    internal long ColumnBudget { get; set; } = Im2Col.DefaultColumnBudget;

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
        _output.Clear();
        int rows = OutChannels * g.KernelArea;
        int group = Im2Col.GroupSize(n, rows, g.OutArea, ColumnBudget);
        EnsureBuffers(rows * group * g.OutArea, InChannels * group * g.OutArea);
        int inPlane = InChannels * g.OutArea;
        int outPlane = OutChannels * g.InArea;
        for (int s0 = 0; s0 < n; s0 += group)
        {
            int count = Math.Min(group, n - s0);
            int width = count * g.OutArea;
            ChannelMajor.FromBatch(input.Data.AsSpan(s0 * inPlane, count * inPlane), count, InChannels, g.OutArea, _staging);

            // cols[out*kk, samples * HW] = W[in, out*kk]^T * x[in, samples * HW]
            Sgemm.Multiply(true, false, rows, width, InChannels, Weight.Value.Data, rows, _staging, width, _columns, width, accumulate: false);
            for (int j = 0; j < count; j++)
            {
                Span<float> y = _output.Data.AsSpan((s0 + j) * outPlane, outPlane);
                Im2Col.ScatterAdd(_columns.AsSpan(j * g.OutArea), OutChannels, g, width, y);
                if (Bias is not null)
                {
                    Conv2d.AddBias(y, Bias.Value.Data, g.InArea);
                }
            }
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
        int rows = OutChannels * g.KernelArea;
        int inPlane = InChannels * g.OutArea;
        int outPlane = OutChannels * g.InArea;
        _gradInput = Tensor.Reuse(_gradInput, input.Shape);
        int group = Im2Col.GroupSize(n, rows, g.OutArea, ColumnBudget);
        for (int s0 = 0; s0 < n; s0 += group)
        {
            int count = Math.Min(group, n - s0);
            int width = count * g.OutArea;
            for (int j = 0; j < count; j++)
            {
                ReadOnlySpan<float> gy = gradOutput.Data.AsSpan((s0 + j) * outPlane, outPlane);
                Im2Col.Gather(gy, OutChannels, g, _columns.AsSpan(j * g.OutArea), width);
                if (Bias is not null)
                {
                    Conv2d.AccumulateBiasGrad(gy, Bias.Grad.Data, g.InArea);
                }
            }

            // dX[in, samples * HW] = W[in, out*kk] * cols[out*kk, samples * HW]
            Sgemm.Multiply(false, false, InChannels, width, rows, Weight.Value.Data, rows, _columns, width, _staging, width, accumulate: false);
            ChannelMajor.ToBatch(_staging, count, InChannels, g.OutArea, _gradInput.Data.AsSpan(s0 * inPlane, count * inPlane));

            // dW[in, out*kk] += x[in, samples * HW] * cols[out*kk, samples * HW]^T
            ChannelMajor.FromBatch(input.Data.AsSpan(s0 * inPlane, count * inPlane), count, InChannels, g.OutArea, _staging);
            Sgemm.Multiply(false, true, InChannels, rows, width, _staging, width, _columns, width, Weight.Grad.Data, rows, accumulate: true);
        }

        return _gradInput;
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
