using System;

namespace VaeGen.Runtime.Kernels;

/// <summary>
/// Moves a group of samples between NCHW ([g, C, area]) and channel-major ([C, g * area]) layout,
/// the layout that lets one GEMM process several samples of a convolution at once.
/// </summary>
internal static class ChannelMajor
{
    /// <summary>dst[c, s * area + i] = src[s, c, i] for s &lt; samples.</summary>
    public static void FromBatch(ReadOnlySpan<float> src, int samples, int channels, int area, Span<float> dst)
    {
        int width = samples * area;
        for (int s = 0; s < samples; s++)
        {
            for (int c = 0; c < channels; c++)
            {
                src.Slice(((s * channels) + c) * area, area).CopyTo(dst.Slice((c * width) + (s * area), area));
            }
        }
    }

    /// <summary>dst[s, c, i] = src[c, s * area + i] for s &lt; samples.</summary>
    public static void ToBatch(ReadOnlySpan<float> src, int samples, int channels, int area, Span<float> dst)
    {
        int width = samples * area;
        for (int s = 0; s < samples; s++)
        {
            for (int c = 0; c < channels; c++)
            {
                src.Slice((c * width) + (s * area), area).CopyTo(dst.Slice(((s * channels) + c) * area, area));
            }
        }
    }
}
