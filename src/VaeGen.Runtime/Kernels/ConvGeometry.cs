using System;
using VaeGen.Shapes;

namespace VaeGen.Runtime.Kernels;

/// <summary>
/// The sliding-window geometry of a 2-D convolution (kernel, stride, padding, dilation per axis) over
/// an input of a given size, with the output size it implies.
/// </summary>
public readonly struct ConvGeometry : IEquatable<ConvGeometry>
{
    /// <summary>Creates a geometry; the output size follows PyTorch's convolution formula.</summary>
    /// <param name="inH">Input height.</param>
    /// <param name="inW">Input width.</param>
    /// <param name="kernelH">Kernel height.</param>
    /// <param name="kernelW">Kernel width.</param>
    /// <param name="strideH">Vertical stride.</param>
    /// <param name="strideW">Horizontal stride.</param>
    /// <param name="padH">Zero padding on top and bottom.</param>
    /// <param name="padW">Zero padding on left and right.</param>
    /// <param name="dilationH">Vertical dilation.</param>
    /// <param name="dilationW">Horizontal dilation.</param>
    public ConvGeometry(int inH, int inW, int kernelH, int kernelW, int strideH, int strideW, int padH, int padW, int dilationH, int dilationW)
    {
        InH = inH;
        InW = inW;
        KernelH = kernelH;
        KernelW = kernelW;
        StrideH = strideH;
        StrideW = strideW;
        PadH = padH;
        PadW = padW;
        DilationH = dilationH;
        DilationW = dilationW;
        OutH = ConvOutput(inH, kernelH, strideH, padH, dilationH);
        OutW = ConvOutput(inW, kernelW, strideW, padW, dilationW);
    }

    /// <summary>
    /// Creates a geometry that uses only the first <paramref name="outH"/> x <paramref name="outW"/>
    /// windows. A transposed convolution needs this when output_padding is at least the stride
    /// (allowed when it is below the dilation): its last output rows are reached by no window.
    /// </summary>
    /// <param name="inH">Input height.</param>
    /// <param name="inW">Input width.</param>
    /// <param name="kernelH">Kernel height.</param>
    /// <param name="kernelW">Kernel width.</param>
    /// <param name="strideH">Vertical stride.</param>
    /// <param name="strideW">Horizontal stride.</param>
    /// <param name="padH">Vertical padding.</param>
    /// <param name="padW">Horizontal padding.</param>
    /// <param name="dilationH">Vertical dilation.</param>
    /// <param name="dilationW">Horizontal dilation.</param>
    /// <param name="outH">Output height, at most the formula's.</param>
    /// <param name="outW">Output width, at most the formula's.</param>
    public ConvGeometry(int inH, int inW, int kernelH, int kernelW, int strideH, int strideW, int padH, int padW, int dilationH, int dilationW, int outH, int outW)
        : this(inH, inW, kernelH, kernelW, strideH, strideW, padH, padW, dilationH, dilationW)
    {
        if (outH < 1 || outW < 1 || outH > OutH || outW > OutW)
        {
            throw new ArgumentException($"Output {outH}x{outW} exceeds the {OutH}x{OutW} windows that fit.");
        }

        OutH = outH;
        OutW = outW;
    }

    /// <summary>Input height.</summary>
    public int InH { get; }

    /// <summary>Input width.</summary>
    public int InW { get; }

    /// <summary>Kernel height.</summary>
    public int KernelH { get; }

    /// <summary>Kernel width.</summary>
    public int KernelW { get; }

    /// <summary>Vertical stride.</summary>
    public int StrideH { get; }

    /// <summary>Horizontal stride.</summary>
    public int StrideW { get; }

    /// <summary>Vertical padding.</summary>
    public int PadH { get; }

    /// <summary>Horizontal padding.</summary>
    public int PadW { get; }

    /// <summary>Vertical dilation.</summary>
    public int DilationH { get; }

    /// <summary>Horizontal dilation.</summary>
    public int DilationW { get; }

    /// <summary>Output height.</summary>
    public int OutH { get; }

    /// <summary>Output width.</summary>
    public int OutW { get; }

    /// <summary>Kernel positions per channel (kh * kw).</summary>
    public int KernelArea => KernelH * KernelW;

    /// <summary>Output positions per channel (outH * outW).</summary>
    public int OutArea => OutH * OutW;

    /// <summary>Input positions per channel (inH * inW).</summary>
    public int InArea => InH * InW;

    /// <summary>PyTorch's convolution output size: floor((in + 2p - d(k-1) - 1) / s) + 1.</summary>
    /// <param name="input">Input size.</param>
    /// <param name="kernel">Kernel size.</param>
    /// <param name="stride">Stride.</param>
    /// <param name="padding">Padding on each side.</param>
    /// <param name="dilation">Dilation.</param>
    public static int ConvOutput(int input, int kernel, int stride, int padding, int dilation)
    {
        long effectiveKernel = ShapeFormulas.EffectiveKernel(kernel, dilation);
        if ((long)input + (2L * padding) < effectiveKernel)
        {
            throw new ArgumentException(
                $"Input size {input} (padded {input + (2 * padding)}) is smaller than the effective kernel size {effectiveKernel}.");
        }

        return checked((int)ShapeFormulas.Convolution(input, kernel, stride, padding, dilation));
    }

    /// <inheritdoc />
    public bool Equals(ConvGeometry other) =>
        InH == other.InH && InW == other.InW && KernelH == other.KernelH && KernelW == other.KernelW
        && StrideH == other.StrideH && StrideW == other.StrideW && PadH == other.PadH && PadW == other.PadW
        && DilationH == other.DilationH && DilationW == other.DilationW && OutH == other.OutH && OutW == other.OutW;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is ConvGeometry g && Equals(g);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(InH, InW, KernelH, KernelW, StrideH, StrideW, PadH, PadW);

    /// <summary>Equality.</summary>
    /// <param name="left">Left.</param>
    /// <param name="right">Right.</param>
    public static bool operator ==(ConvGeometry left, ConvGeometry right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    /// <param name="left">Left.</param>
    /// <param name="right">Right.</param>
    public static bool operator !=(ConvGeometry left, ConvGeometry right) => !left.Equals(right);
}
