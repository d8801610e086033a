using System;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace VaeGen.Runtime.Kernels;

/// <summary>
/// Moves a group of samples between NCHW ([g, C, area]) and channel-major ([C, g * area]) layout,
/// the layout that lets one GEMM process several samples of a convolution at once.
/// </summary>
/// <remarks>
/// Maps of a few pixels (1x1, 3x3) are common in small encoders; there a span call per
/// (sample, channel) costs more than the copy itself, so short planes take a plain loop.
/// </remarks>
internal static class ChannelMajor
{
    private const int ShortPlane = 16;

    /// <summary>
    /// dst[c, s * area + i] = src[s, c, i] for the samples s in [<paramref name="first"/>, <paramref name="end"/>) of a
    /// group of <paramref name="samples"/>: what each thread does when a group's samples are split over threads.
    /// </summary>
    public static void FromBatch(ReadOnlySpan<float> src, int samples, int channels, int area, Span<float> dst, int first, int end)
    {
        int width = samples * area;
        if (src.Length < samples * channels * area || dst.Length < channels * width || first < 0 || end > samples)
        {
            throw new ArgumentException("ChannelMajor.FromBatch: buffers too small.");
        }

        for (int s = first; s < end; s++)
        {
            for (int c = 0; c < channels; c++)
            {
                ReadOnlySpan<float> from = src.Slice(((s * channels) + c) * area, area);
                Span<float> to = dst.Slice((c * width) + (s * area), area);
                if (area < ShortPlane)
                {
                    for (int i = 0; i < from.Length; i++)
                    {
                        to[i] = from[i];
                    }
                }
                else
                {
                    from.CopyTo(to);
                }
            }
        }
    }

    /// <summary>dst[s, c, i] = src[c, s * area + i] for s &lt; samples.</summary>
    public static void ToBatch(ReadOnlySpan<float> src, int samples, int channels, int area, Span<float> dst) =>
        ToBatch(src, samples, channels, area, default, dst);

    /// <summary>dst[s, c, i] = src[c, s * area + i] + bias[c] (no bias when empty) for s &lt; samples.</summary>
    public static void ToBatch(ReadOnlySpan<float> src, int samples, int channels, int area, ReadOnlySpan<float> bias, Span<float> dst) =>
        ToBatch(src, samples, channels, area, bias, dst, 0, samples);

    /// <summary>
    /// dst[s, c, i] = src[c, s * area + i] + bias[c] (no bias when empty) for the samples s in [<paramref name="first"/>,
    /// <paramref name="end"/>) of a group of <paramref name="samples"/>.
    /// </summary>
    public static void ToBatch(ReadOnlySpan<float> src, int samples, int channels, int area, ReadOnlySpan<float> bias, Span<float> dst, int first, int end)
    {
        int width = samples * area;
        if (dst.Length < samples * channels * area || src.Length < channels * width || (!bias.IsEmpty && bias.Length < channels) || first < 0 || end > samples)
        {
            throw new ArgumentException("ChannelMajor.ToBatch: buffers too small.");
        }

        for (int s = first; s < end; s++)
        {
            for (int c = 0; c < channels; c++)
            {
                ReadOnlySpan<float> from = src.Slice((c * width) + (s * area), area);
                Span<float> to = dst.Slice(((s * channels) + c) * area, area);
                float b = bias.IsEmpty ? 0f : bias[c];
                if (area < ShortPlane)
                {
                    for (int i = 0; i < from.Length; i++)
                    {
                        to[i] = from[i] + b;
                    }
                }
                else if (bias.IsEmpty)
                {
                    from.CopyTo(to);
                }
                else
                {
                    TensorPrimitives.Add(from, b, to);
                }
            }
        }
    }
}
