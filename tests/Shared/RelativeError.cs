using System;
using Xunit;

namespace VaeGen.Testing;

/// <summary>How parity tests compare a whole tensor with its reference.</summary>
internal static class RelativeError
{
    /// <summary>
    /// max|actual - expected| / max|expected|: the relative error of a whole tensor, the measure the
    /// 1e-4 parity bound is stated in (a per-element ratio would blow up at values near zero).
    /// </summary>
    /// <param name="actual">The values under test.</param>
    /// <param name="expected">The reference values; the same length.</param>
    public static double Of(ReadOnlySpan<float> actual, ReadOnlySpan<float> expected)
    {
        Assert.True(actual.Length == expected.Length, $"{actual.Length} values, expected {expected.Length}");
        double scale = 0, difference = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            scale = Math.Max(scale, Math.Abs((double)expected[i]));
            difference = Math.Max(difference, Math.Abs((double)actual[i] - expected[i]));
        }

        return difference == 0 ? 0 : difference / Math.Max(scale, 1e-30);
    }
}
