using System;
using System.Numerics;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace VaeGen.Runtime.Init;

/// <summary>
/// A seeded xoshiro256** generator whose output is the same on every platform, runtime and thread count.
/// </summary>
/// <remarks>
/// Only integer operations and IEEE-exact float operations (+, -, *, /, sqrt) touch the stream,
/// and the normal sampler uses <see cref="DeterministicMath.Log"/> instead of the C library's log,
/// whose last bit may differ between platforms. The generator is not thread-safe; give each
/// consumer its own instance (see <see cref="Fork"/>).
/// </remarks>
public sealed class Rng
{
    private ulong _s0;
    private ulong _s1;
    private ulong _s2;
    private ulong _s3;
    private double _spareNormal;
    private bool _hasSpareNormal;

    /// <summary>FillNormal's u, v and s of each pair, kept so that a steady training step allocates nothing.</summary>
    private double[]? _pairScratch;

    /// <summary>Creates a generator from a 64-bit seed, expanded with SplitMix64 as the xoshiro authors recommend.</summary>
    /// <param name="seed">The seed.</param>
    public Rng(ulong seed)
    {
        ulong x = seed;
        _s0 = SplitMix64(ref x);
        _s1 = SplitMix64(ref x);
        _s2 = SplitMix64(ref x);
        _s3 = SplitMix64(ref x);
    }

    /// <summary>How many int64 values <see cref="SaveState"/> writes.</summary>
    public const int StateLength = 6;

    /// <summary>Writes the generator's full state (including a kept normal), so a resumed run draws exactly what an uninterrupted one would.</summary>
    /// <param name="destination">At least <see cref="StateLength"/> values.</param>
    public void SaveState(Span<long> destination)
    {
        if (destination.Length < StateLength)
        {
            throw new ArgumentException($"The RNG state needs {StateLength} values.", nameof(destination));
        }

        destination[0] = unchecked((long)_s0);
        destination[1] = unchecked((long)_s1);
        destination[2] = unchecked((long)_s2);
        destination[3] = unchecked((long)_s3);
        destination[4] = BitConverter.DoubleToInt64Bits(_spareNormal);
        destination[5] = _hasSpareNormal ? 1 : 0;
    }

    /// <summary>Restores a state written by <see cref="SaveState"/>.</summary>
    /// <param name="source">At least <see cref="StateLength"/> values.</param>
    /// <exception cref="ArgumentException">The state is too short or all-zero (xoshiro's one invalid state).</exception>
    public void RestoreState(ReadOnlySpan<long> source)
    {
        if (source.Length < StateLength)
        {
            throw new ArgumentException($"The RNG state needs {StateLength} values.", nameof(source));
        }

        if ((source[0] | source[1] | source[2] | source[3]) == 0 || source[5] is not (0 or 1))
        {
            throw new ArgumentException("Not a saved RNG state: xoshiro's state cannot be all zero and the spare flag must be 0 or 1.", nameof(source));
        }

        _s0 = unchecked((ulong)source[0]);
        _s1 = unchecked((ulong)source[1]);
        _s2 = unchecked((ulong)source[2]);
        _s3 = unchecked((ulong)source[3]);
        _spareNormal = BitConverter.Int64BitsToDouble(source[4]);
        _hasSpareNormal = source[5] == 1;
    }

    /// <summary>The next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        ulong result = RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>A uniform float in [0, 1) with 24 random bits, as PyTorch draws floats.</summary>
    public float NextSingle() => (NextUInt64() >> 40) * (1.0f / (1 << 24));

    /// <summary>A uniform double in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => ToDouble(NextUInt64());

    /// <summary>A uniform float in [<paramref name="low"/>, <paramref name="high"/>).</summary>
    /// <param name="low">Inclusive lower bound.</param>
    /// <param name="high">Exclusive upper bound.</param>
    public float NextUniform(double low, double high) => (float)(low + ((high - low) * NextDouble()));

    /// <summary>A standard normal sample (Marsaglia's polar method; the second value of each pair is kept for the next call).</summary>
    public double NextNormal()
    {
        if (_hasSpareNormal)
        {
            _hasSpareNormal = false;
            return _spareNormal;
        }

        double s = DrawPolarPair(out double u, out double v);
        double f = DeterministicMath.PolarFactor(s);
        _spareNormal = v * f;
        _hasSpareNormal = true;
        return u * f;
    }

    /// <summary>Marsaglia's polar method's draw: a point (u, v) uniform in the unit disc without its centre, and s = u^2 + v^2.</summary>
    private double DrawPolarPair(out double u, out double v)
    {
        double s;
        do
        {
            u = DiscCoordinate(NextUInt64());
            v = DiscCoordinate(NextUInt64());
            s = (u * u) + (v * v);
        }
        while (!InsideDisc(s));
        return s;
    }

    /// <summary>
    /// <see cref="DrawPolarPair"/> for every element of <paramref name="us"/>, <paramref name="vs"/> and <paramref name="ss"/>:
    /// the same pairs, leaving the generator where the one-by-one draws would.
    /// </summary>
    /// <remarks>
    /// The one-by-one loop waits on each step of the generator and mispredicts the one attempt in five that falls outside
    /// the disc. Here the generator runs ahead in locals over a block of <see cref="AttemptsPerBlock"/> attempts, which are
    /// then tested eight at a time (<see cref="AcceptedAttempts"/>). An attempt's numbers come from the stream in the same order either
    /// way, so the pairs are the same. The block that completes the draw usually ran past its last needed attempt: the
    /// generator then goes back to the block's start and steps only as far as that attempt.
    /// </remarks>
    private void DrawPolarPairs(Span<double> us, Span<double> vs, Span<double> ss) => StepPolarPairs(us.Length, us, vs, ss, keepEvery: true);

    /// <summary>
    /// Steps the generator over <paramref name="pairs"/> accepted polar-method attempts in blocks, as
    /// <see cref="DrawPolarPairs"/> draws them. With <paramref name="keepEvery"/> pair p is written at index p; without,
    /// only the last one is kept, at index 0 (skipping a stream's normals needs no more).
    /// </summary>
    private void StepPolarPairs(long pairs, Span<double> us, Span<double> vs, Span<double> ss, bool keepEvery)
    {
        Span<ulong> uBits = stackalloc ulong[AttemptsPerBlock];
        Span<ulong> vBits = stackalloc ulong[AttemptsPerBlock];
        Span<int> accepted = stackalloc int[AttemptsPerBlock];

        // The state in locals, and NextUInt64 written out on them below: through a struct or refs the JIT kept the
        // state in memory, and FillNormal took 51-52 us for seed000's 8,192 values instead of 39.
        ulong s0 = _s0, s1 = _s1, s2 = _s2, s3 = _s3;
        long filled = 0;
        int attempts = AttemptsPerBlock;
        bool steppingBack = false;
        while (true)
        {
            ulong b0 = s0, b1 = s1, b2 = s2, b3 = s3;
            for (int a = 0; a < attempts; a++)
            {
                for (int half = 0; half < 2; half++)
                {
                    ulong value = RotateLeft(s1 * 5, 7) * 9;
                    ulong t = s1 << 17;
                    s2 ^= s0;
                    s3 ^= s1;
                    s1 ^= s2;
                    s0 ^= s3;
                    s2 ^= t;
                    s3 = RotateLeft(s3, 45);
                    (half == 0 ? ref uBits[a] : ref vBits[a]) = value;
                }
            }

            if (steppingBack)
            {
                break;
            }

            int count = AcceptedAttempts(uBits, vBits, accepted);
            int take = (int)Math.Min(count, pairs - filled);
            for (int k = keepEvery ? 0 : Math.Max(0, take - 1); k < take; k++)
            {
                int a = accepted[k];
                double u = DiscCoordinate(uBits[a]);
                double v = DiscCoordinate(vBits[a]);
                int at = keepEvery ? (int)(filled + k) : 0;
                us[at] = u;
                vs[at] = v;
                ss[at] = (u * u) + (v * v);
            }

            filled += take;
            if (filled == pairs)
            {
                // The block ran past the last attempt used: from the block's start once more, only that far.
                (s0, s1, s2, s3) = (b0, b1, b2, b3);
                attempts = accepted[take - 1] + 1;
                steppingBack = true;
            }
        }

        (_s0, _s1, _s2, _s3) = (s0, s1, s2, s3);
    }

    /// <summary>
    /// Writes the indices of the attempts (u from <paramref name="uBits"/>, v from <paramref name="vBits"/>) that fall
    /// inside the unit disc without its centre to <paramref name="accepted"/>, in order, and returns how many there are.
    /// Eight at a time on AVX-512 (the same operations on each lane as the scalar test, so the same answer).
    /// </summary>
    internal static int AcceptedAttempts(ReadOnlySpan<ulong> uBits, ReadOnlySpan<ulong> vBits, Span<int> accepted)
    {
        int count = 0;
        int a = 0;
        if (Vector512.IsHardwareAccelerated && Avx512DQ.IsSupported)
        {
            var two = Vector512.Create(2.0);
            var one = Vector512.Create(1.0);
            var scale = Vector512.Create(1.0 / (1UL << 53));
            for (; a <= uBits.Length - Vector512<ulong>.Count; a += Vector512<ulong>.Count)
            {
                Vector512<double> u = (two * (Vector512.ConvertToDouble(Vector512.ShiftRightLogical(Vector512.Create(uBits.Slice(a)), 11).AsInt64()) * scale)) - one;
                Vector512<double> v = (two * (Vector512.ConvertToDouble(Vector512.ShiftRightLogical(Vector512.Create(vBits.Slice(a)), 11).AsInt64()) * scale)) - one;
                Vector512<double> s = (u * u) + (v * v);
                ulong inside = (Vector512.LessThan(s, one) & ~Vector512.Equals(s, Vector512<double>.Zero)).ExtractMostSignificantBits();
                for (; inside != 0; inside &= inside - 1)
                {
                    accepted[count++] = a + BitOperations.TrailingZeroCount(inside);
                }
            }
        }

        for (; a < uBits.Length; a++)
        {
            double u = DiscCoordinate(uBits[a]);
            double v = DiscCoordinate(vBits[a]);
            if (InsideDisc((u * u) + (v * v)))
            {
                accepted[count++] = a;
            }
        }

        return count;
    }

    /// <summary>
    /// Whether <see cref="FillNormal"/> draws its pairs in blocks (<see cref="DrawPolarPairs"/>) or one by one; the same
    /// values either way. Benchmarks switch it to time the two in one process.
    /// </summary>
    internal static bool DrawInBlocks { get; set; } = true;

    /// <summary>Attempts per block of <see cref="DrawPolarPairs"/>: about 50 accepted pairs.</summary>
    private const int AttemptsPerBlock = 64;

    /// <summary>
    /// <see cref="NextDouble"/>'s mapping of 64 bits to [0, 1): the top 53 bits times 2^-53. Converted as a signed value,
    /// which is the same number (it is below 2^53) in one instruction, where an unsigned conversion takes several.
    /// </summary>
    private static double ToDouble(ulong bits) => (long)(bits >> 11) * (1.0 / (1UL << 53));

    /// <summary>One coordinate of a polar-method attempt, uniform in [-1, 1), from 64 random bits.</summary>
    private static double DiscCoordinate(ulong bits) => (2.0 * ToDouble(bits)) - 1.0;

    /// <summary>Whether an attempt with u^2 + v^2 = <paramref name="s"/> is kept: inside the unit disc, without its centre.</summary>
    private static bool InsideDisc(double s) => s < 1.0 && s != 0.0;

    /// <summary>Fills <paramref name="destination"/> with standard normal samples: exactly the values <see cref="NextNormal"/> would give, in order.</summary>
    /// <param name="destination">The values to overwrite.</param>
    /// <remarks>
    /// The pairs are drawn in the stream's order in blocks (<see cref="DrawPolarPairs"/>), and the logarithms and square
    /// roots of all of them are then taken a vector at a time (<see cref="DeterministicMath.PolarFactors"/>: the same
    /// operations in the same order, so the same bits). On the Zen 5 development VM seed000's 8,192 values took 0.049 ms
    /// with the pairs drawn one by one and 0.039 ms in blocks (docs/performance.md).
    /// </remarks>
    public void FillNormal(Span<float> destination)
    {
        int i = 0;
        if (_hasSpareNormal && destination.Length > 0)
        {
            _hasSpareNormal = false;
            destination[i++] = (float)_spareNormal;
        }

        int pairs = (destination.Length - i + 1) / 2;
        if (pairs == 0)
        {
            return;
        }

        if (_pairScratch is null || _pairScratch.Length < 3 * pairs)
        {
            _pairScratch = new double[3 * pairs];
        }

        Span<double> us = _pairScratch.AsSpan(0, pairs);
        Span<double> vs = _pairScratch.AsSpan(pairs, pairs);
        Span<double> factors = _pairScratch.AsSpan(2 * pairs, pairs);
        if (DrawInBlocks)
        {
            DrawPolarPairs(us, vs, factors);
        }
        else
        {
            for (int p = 0; p < pairs; p++)
            {
                factors[p] = DrawPolarPair(out us[p], out vs[p]);
            }
        }

        DeterministicMath.PolarFactors(factors);
        for (int p = 0; p < pairs; p++)
        {
            destination[i++] = (float)(us[p] * factors[p]);
            if (i < destination.Length)
            {
                destination[i++] = (float)(vs[p] * factors[p]);
            }
            else
            {
                _spareNormal = vs[p] * factors[p];
                _hasSpareNormal = true;
            }
        }
    }

    /// <summary>
    /// Leaves the generator exactly where <see cref="FillNormal"/> of <paramref name="count"/> values would, without
    /// forming them: the polar method's attempts are stepped over and tested, and only a value kept for the next call (an
    /// odd count's last pair) is computed. A thread that computes the later samples of a batch starts its copy of the
    /// stream there, so its draws are the ones a single thread would make (<c>VaeModel</c>'s sliced inference).
    /// </summary>
    /// <param name="count">How many normal values to pass over.</param>
    public void SkipNormals(long count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (count == 0)
        {
            return;
        }

        if (_hasSpareNormal)
        {
            _hasSpareNormal = false;
            count--;
        }

        long pairs = (count + 1) / 2;
        if (pairs == 0)
        {
            return;
        }

        Span<double> last = stackalloc double[3];
        StepPolarPairs(pairs, last.Slice(0, 1), last.Slice(1, 1), last.Slice(2, 1), keepEvery: false);
        if (count % 2 == 1)
        {
            // FillNormal would have used this pair's u and kept v * factor for the next call.
            _spareNormal = last[1] * DeterministicMath.PolarFactor(last[2]);
            _hasSpareNormal = true;
        }
    }

    /// <summary>Fills <paramref name="destination"/> with uniform samples in [<paramref name="low"/>, <paramref name="high"/>).</summary>
    /// <param name="destination">The values to overwrite.</param>
    /// <param name="low">Inclusive lower bound.</param>
    /// <param name="high">Exclusive upper bound.</param>
    public void FillUniform(Span<float> destination, double low, double high)
    {
        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] = NextUniform(low, high);
        }
    }

    /// <summary>
    /// A new generator seeded from this one's stream, so independent consumers (dropout, sampling)
    /// do not shift each other's sequences.
    /// </summary>
    public Rng Fork() => new(NextUInt64());

    private static ulong RotateLeft(ulong x, int k) => (x << k) | (x >> (64 - k));

    private static ulong SplitMix64(ref ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        ulong z = x;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
