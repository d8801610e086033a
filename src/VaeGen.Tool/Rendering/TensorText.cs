using System;
using System.Globalization;
using System.Text;

namespace VaeGen.Tool.Rendering;

/// <summary>
/// Prints per-sample tensors as PyTorch does, <c>tensor([...])</c>, but elided as the seed
/// walkthrough elides them: vectors show their first four values and the last, images their first
/// and last channel and the corners of large maps, small tensors everything.
/// </summary>
internal static class TensorText
{
    private const int VectorHead = 4;
    private const int MaxFullVector = 8;
    private const int MaxFullSide = 6;
    private const int RowHead = 3;
    private const int ColumnHead = 4;
    private const int MaxFullChannels = 3;

    /// <summary>The tensor with continuation lines indented by <paramref name="indent"/>.</summary>
    /// <param name="values">The values, row-major.</param>
    /// <param name="shape">[N] or [C, H, W].</param>
    public static string Format(ReadOnlySpan<float> values, ReadOnlySpan<int> shape, string indent)
    {
        bool integers = AllIntegers(values);
        if (shape.Length == 1)
        {
            return "tensor([" + Row(values, integers, MaxFullVector, VectorHead) + "])";
        }

        if (shape.Length != 3)
        {
            throw new ArgumentException("Only [N] and [C, H, W] tensors are printed.", nameof(shape));
        }

        int channels = shape[0], height = shape[1], width = shape[2];
        var text = new StringBuilder("tensor([\n");
        int[] shown = Pick(channels, MaxFullChannels, 1);
        for (int i = 0; i < shown.Length; i++)
        {
            if (shown[i] < 0)
            {
                text.Append(indent).Append("  ...,\n\n");
                continue;
            }

            ReadOnlySpan<float> plane = values.Slice(shown[i] * height * width, height * width);
            int[] rows = Pick(height, MaxFullSide, RowHead);
            for (int r = 0; r < rows.Length; r++)
            {
                text.Append(indent).Append(r == 0 ? "  [[" : "   [");
                if (rows[r] < 0)
                {
                    text.Length -= 1;
                    text.Append("...,\n");
                    continue;
                }

                text.Append(Row(plane.Slice(rows[r] * width, width), integers, MaxFullSide, ColumnHead)).Append(']');
                text.Append(r == rows.Length - 1 ? "]" : ",").Append('\n');
            }

            if (i < shown.Length - 1)
            {
                text.Length -= 1;
                text.Append(",\n\n");
            }
        }

        return text.Append(indent).Append("])").ToString();
    }

    /// <summary>A number in 4 significant digits (scientific when very small or large), integers as integers.</summary>
    public static string Number(double value, bool integer = false)
    {
        if (integer)
        {
            return Math.Round(value).ToString("0", CultureInfo.InvariantCulture);
        }

        if (value == 0 || !double.IsFinite(value))
        {
            return value == 0 ? "0.0" : value.ToString(CultureInfo.InvariantCulture);
        }

        double magnitude = Math.Abs(value);
        if (magnitude >= 1e5 || magnitude < 1e-3)
        {
            return value.ToString("0.###e+0", CultureInfo.InvariantCulture);
        }

        int decimals = Math.Max(1, 3 - (int)Math.Floor(Math.Log10(magnitude)));
        string text = Math.Round(value, decimals).ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture).TrimEnd('0');
        return text.EndsWith('.') ? text + "0" : text;
    }

    private static string Row(ReadOnlySpan<float> values, bool integers, int maxFull, int head)
    {
        var parts = new StringBuilder();
        foreach (int index in Pick(values.Length, maxFull, head))
        {
            parts.Append(parts.Length == 0 ? string.Empty : ", ").Append(index < 0 ? "..." : Number(values[index], integers));
        }

        return parts.ToString();
    }

    /// <summary>All indices when there are at most <paramref name="maxFull"/>, else the first <paramref name="head"/>, -1 for the gap, and the last.</summary>
    private static int[] Pick(int count, int maxFull, int head)
    {
        if (count <= maxFull)
        {
            var all = new int[count];
            for (int i = 0; i < count; i++)
            {
                all[i] = i;
            }

            return all;
        }

        var picked = new int[head + 2];
        for (int i = 0; i < head; i++)
        {
            picked[i] = i;
        }

        picked[head] = -1;
        picked[head + 1] = count - 1;
        return picked;
    }

    private static bool AllIntegers(ReadOnlySpan<float> values)
    {
        foreach (float v in values)
        {
            if (v != MathF.Round(v) || MathF.Abs(v) > 1e6f)
            {
                return false;
            }
        }

        return true;
    }
}
