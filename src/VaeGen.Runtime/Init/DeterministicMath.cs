using System;
using System.Runtime.Intrinsics;

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

    /// <summary>The polar method's factor sqrt(-2 ln s / s) for an accepted s in (0, 1).</summary>
    public static double PolarFactor(double s) => Math.Sqrt(-2.0 * Log(s) / s);

    /// <summary>
    /// <see cref="PolarFactor"/> of every element, in place: a vector at a time where the hardware allows, with the
    /// operations of <see cref="Log"/> in the same order, so every result has the same bits as the scalar one.
    /// </summary>
    /// <param name="values">Accepted s values of the polar method: normal doubles in (0, 1).</param>
    public static void PolarFactors(Span<double> values)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i <= values.Length - Vector256<double>.Count; i += Vector256<double>.Count)
            {
                Vector256<double> x = Vector256.Create(values.Slice(i, Vector256<double>.Count));
                if (Vector256.LessThanOrEqualAny(x, Vector256.Create(2.2250738585072014E-308)))
                {
                    break; // a subnormal or non-positive value: the scalar Log handles (or refuses) it
                }

                Vector256.Sqrt((Vector256.Create(-2.0) * LogOfNormal(x)) / x).CopyTo(values.Slice(i));
            }
        }

        for (; i < values.Length; i++)
        {
            values[i] = PolarFactor(values[i]);
        }
    }

    /// <summary><see cref="Log"/> of four positive, finite, normal doubles, operation for operation.</summary>
    private static Vector256<double> LogOfNormal(Vector256<double> x)
    {
        Vector256<long> bits = x.AsInt64();
        Vector256<long> exponent = Vector256.ShiftRightLogical(bits, 52) & Vector256.Create(0x7FFL);
        Vector256<double> e = Vector256.ConvertToDouble(exponent - Vector256.Create(1023L));
        Vector256<double> m = ((bits & Vector256.Create(0x000FFFFFFFFFFFFFL)) | Vector256.Create(0x3FF0000000000000L)).AsDouble();
        Vector256<double> above = Vector256.GreaterThan(m, Vector256.Create(1.4142135623730951));
        m = Vector256.ConditionalSelect(above, m * Vector256.Create(0.5), m);
        e = Vector256.ConditionalSelect(above, e + Vector256<double>.One, e);

        Vector256<double> s = (m - Vector256<double>.One) / (m + Vector256<double>.One);
        Vector256<double> s2 = s * s;
        Vector256<double> series = Vector256.Create(1.0 / 25.0);
        series = (series * s2) + Vector256.Create(1.0 / 23.0);
        series = (series * s2) + Vector256.Create(1.0 / 21.0);
        series = (series * s2) + Vector256.Create(1.0 / 19.0);
        series = (series * s2) + Vector256.Create(1.0 / 17.0);
        series = (series * s2) + Vector256.Create(1.0 / 15.0);
        series = (series * s2) + Vector256.Create(1.0 / 13.0);
        series = (series * s2) + Vector256.Create(1.0 / 11.0);
        series = (series * s2) + Vector256.Create(1.0 / 9.0);
        series = (series * s2) + Vector256.Create(1.0 / 7.0);
        series = (series * s2) + Vector256.Create(1.0 / 5.0);
        series = (series * s2) + Vector256.Create(1.0 / 3.0);
        Vector256<double> logM = Vector256.Create(2.0) * s * ((series * s2) + Vector256<double>.One);
        return (e * Vector256.Create(Ln2Hi)) + ((e * Vector256.Create(Ln2Lo)) + logM);
    }
}
