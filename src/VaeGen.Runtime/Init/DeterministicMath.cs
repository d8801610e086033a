using System;

namespace VaeGen.Runtime.Init;

/// <summary>
/// Elementary functions built only from IEEE-exact operations, so their results are bit-identical
/// everywhere. <see cref="Math.Log(double)"/> defers to the platform's C library, whose last bit varies.
/// </summary>
internal static class DeterministicMath
{
    private const double Ln2Hi = 6.93147180369123816490e-01;
    private const double Ln2Lo = 1.90821492927058770002e-10;

    /// <summary>Natural logarithm of a positive, finite, normal double, accurate to about 1 ulp.</summary>
    public static double Log(double x)
    {
        if (!(x > 0.0) || double.IsInfinity(x))
        {
            throw new ArgumentOutOfRangeException(nameof(x), x, "Log needs a positive finite argument.");
        }

        long bits = BitConverter.DoubleToInt64Bits(x);
        int exponent = (int)((bits >> 52) & 0x7FF);
        if (exponent == 0)
        {
            // Subnormal: scale into the normal range first (2^54 is exact).
            return Log(x * 18014398509481984.0) - (54 * Ln2Hi) - (54 * Ln2Lo);
        }

        int e = exponent - 1023;
        double m = BitConverter.Int64BitsToDouble((bits & 0x000FFFFFFFFFFFFFL) | 0x3FF0000000000000L);
        if (m > 1.4142135623730951)
        {
            m *= 0.5;
            e++;
        }

        // log(m) = 2 atanh(s) with |s| <= 0.1716; 12 odd terms reach below 1e-18.
        double s = (m - 1.0) / (m + 1.0);
        double s2 = s * s;
        double series = 1.0 / 25.0;
        series = (series * s2) + (1.0 / 23.0);
        series = (series * s2) + (1.0 / 21.0);
        series = (series * s2) + (1.0 / 19.0);
        series = (series * s2) + (1.0 / 17.0);
        series = (series * s2) + (1.0 / 15.0);
        series = (series * s2) + (1.0 / 13.0);
        series = (series * s2) + (1.0 / 11.0);
        series = (series * s2) + (1.0 / 9.0);
        series = (series * s2) + (1.0 / 7.0);
        series = (series * s2) + (1.0 / 5.0);
        series = (series * s2) + (1.0 / 3.0);
        double logM = 2.0 * s * ((series * s2) + 1.0);
        return (e * Ln2Hi) + ((e * Ln2Lo) + logM);
    }
}
