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
/// (see <see cref="ConvWorkspace"/> for how samples are grouped and groups run on two threads).
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

    private protected override void ForwardSlot(int slot)
    {
        Tensor input = _input!;
        Tensor output = _output!;
        (ConvGeometry g, int rows, int area, int inPlane, int outPlane, float[] columns, float[] staging, int ld, int firstGroup, int endGroup) = SlotSetup(slot);
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
}
