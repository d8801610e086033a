using System;
using VaeGen.Runtime.Init;
using VaeGen.Runtime.Kernels;
using Xunit;

namespace VaeGen.Runtime.Tests;

[Collection(ThreadSettingsCollection.Name)]
public sealed class SgemmTests
{
    public static TheoryData<int, int, int> Shapes() => new()
    {
        { 1, 1, 1 }, { 1, 37, 5 }, { 13, 1, 7 }, { 12, 32, 256 }, { 13, 33, 257 }, { 25, 70, 300 },
        { 200, 3, 9 }, { 5, 600, 40 }, { 64, 100, 513 }, { 193, 65, 31 },

        // A last strip of 1 to 8 rows under full 32-wide tiles takes the 4- and 8-row kernels.
        { 20, 64, 50 }, { 18, 96, 30 }, { 7, 32, 300 }, { 32, 64, 16 }, { 3, 64, 5 },

        // A last strip of 4 or 8 rows is packed by vectors, A transposed or not, across a K block's end.
        { 16, 64, 40 }, { 44, 64, 300 }, { 28, 33, 17 },

        // Narrower than a 32-wide tile: computed as C^T, across several K blocks.
        { 100, 20, 300 }, { 300, 31, 520 },

        // A small C over a long k: A B^T as dot products (four by four, edges one by one, a k % 16 tail).
        { 32, 48, 2048 }, { 5, 7, 515 }, { 13, 18, 600 }, { 4, 4, 512 }, { 64, 64, 530 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void AllTransposeCombinationsMatchADoubleReference(int m, int n, int k)
    {
        var rng = new Rng((ulong)(m * 10007 + n * 101 + k));
        foreach (bool ta in new[] { false, true })
        {
            foreach (bool tb in new[] { false, true })
            {
                var (a, lda, b, ldb, c, ldc) = PaddedOperands(rng, ta, tb, m, n, k);
                var c0 = (float[])c.Clone();
                foreach (bool accumulate in new[] { false, true })
                {
                    Array.Copy(c0, c, c.Length);
                    Sgemm.Multiply(ta, tb, m, n, k, a, lda, b, ldb, c.AsSpan(0, m * ldc), ldc, accumulate);
                    Assert.Equal(c0.AsSpan(m * ldc).ToArray(), c.AsSpan(m * ldc).ToArray());
                    for (int i = 0; i < m; i++)
                    {
                        for (int j = 0; j < ldc; j++)
                        {
                            if (j >= n)
                            {
                                Assert.Equal(c0[(i * ldc) + j], c[(i * ldc) + j]); // outside C: untouched
                                continue;
                            }

                            double sum = accumulate ? c0[(i * ldc) + j] : 0;
                            for (int p = 0; p < k; p++)
                            {
                                sum += (double)a[ta ? (p * lda) + i : (i * lda) + p] * b[tb ? (j * ldb) + p : (p * ldb) + j];
                            }

                            Assert.True(Math.Abs(sum - c[(i * ldc) + j]) <= 1e-5 * Math.Sqrt(k) * 2, $"ta={ta} tb={tb} acc={accumulate} C[{i},{j}] {c[(i * ldc) + j]} vs {sum}");
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// The bias in the product's store gives exactly the bits of C filled with the bias and the product
    /// added to it (PyTorch's addmm order), on every tile path: full, short strips, edge tiles, C^T. A product with a
    /// bias is a linear layer's, whose rows are samples, so it takes the tiles where a plain product would take dot
    /// products: the reference is a product whose rows are samples too.
    /// </summary>
    [Theory]
    [MemberData(nameof(Shapes))]
    public void A_bias_in_the_store_is_the_bias_plus_the_product_bit_for_bit(int m, int n, int k)
    {
        var rng = new Rng((ulong)(m * 7919 + n * 13 + k));
        foreach (bool ta in new[] { false, true })
        {
            foreach (bool tb in new[] { false, true })
            {
                var (a, lda, b, ldb, fused, ldc) = PaddedOperands(rng, ta, tb, m, n, k);
                var bias = new float[n];
                rng.FillUniform(bias, -1, 1);
                var expected = (float[])fused.Clone();
                for (int i = 0; i < m; i++)
                {
                    bias.CopyTo(expected.AsSpan(i * ldc, n));
                }

                Sgemm.Multiply(ta, tb, m, n, k, a, lda, b, ldb, expected.AsSpan(0, m * ldc), ldc, accumulate: true, Sgemm.Parallelism.Default, rowsAreSamples: true);
                Sgemm.MultiplyAddBias(ta, tb, m, n, k, a, lda, b, ldb, bias, fused.AsSpan(0, m * ldc), ldc);
                Assert.Equal(expected, fused); // also the guard row and the columns past n
            }
        }
    }

    /// <summary>
    /// One thread and two give the same bits, with and without a bias in the store: a wide C (B transposed) splits
    /// its rows over threads; a narrow one (n below the 32-wide tile) is computed as C^T, whose rows (C's columns)
    /// are split; a small C over a long k is split by blocks of dot products.
    /// </summary>
    [Theory]
    [InlineData(150, 300, 200, true, 5UL)]
    [InlineData(700, 24, 300, false, 6UL)]
    [InlineData(30, 48, 3001, true, 7UL)]
    public void ResultsDoNotDependOnTheThreadCount(int m, int n, int k, bool transposeB, ulong seed)
    {
        var (a, b) = RandomOperands(seed, m * k, k * n);
        float[] bias = RandomOperands(seed + 100, n, 0).A;
        int ldb = transposeB ? k : n;
        foreach (bool biased in new[] { false, true })
        {
            float[] Product(int threads)
            {
                var c = new float[m * n];
                Sgemm.MaxThreads = threads;
                if (biased)
                {
                    Sgemm.MultiplyAddBias(false, transposeB, m, n, k, a, k, b, ldb, bias, c, n);
                }
                else
                {
                    Sgemm.Multiply(false, transposeB, m, n, k, a, k, b, ldb, c, n, false);
                }

                return c;
            }

            using ThreadSettings saved = ThreadSettings.Save();
            Sgemm.ParallelThreshold = 0;
            Assert.Equal(Product(1), Product(2));
        }
    }

    [Fact]
    public void ConcurrentCallersShareThePoolSafely()
    {
        // Callers that find the worker pool busy run their parts themselves; all must get the same answer.
        const int m = 96, n = 640, k = 160;
        var (a, b) = RandomOperands(6, m * k, k * n);
        var expected = new float[m * n];
        Sgemm.Multiply(false, false, m, n, k, a, k, b, n, expected, n, false);
        var results = new float[6][];
        System.Threading.Tasks.Parallel.For(0, results.Length, i =>
        {
            var c = new float[m * n];
            for (int r = 0; r < 5; r++)
            {
                Sgemm.Multiply(false, false, m, n, k, a, k, b, n, c, n, false);
            }

            results[i] = c;
        });
        foreach (float[] c in results)
        {
            Assert.Equal(expected, c);
        }
    }

    [Fact]
    public void ZeroKClearsOrKeepsC()
    {
        var c = new float[] { 1, 2, 3, 4 };
        Sgemm.Multiply(false, false, 2, 2, 0, Array.Empty<float>(), 0, Array.Empty<float>(), 2, c, 2, accumulate: true);
        Assert.Equal(new float[] { 1, 2, 3, 4 }, c);
        Sgemm.Multiply(false, false, 2, 2, 0, Array.Empty<float>(), 0, Array.Empty<float>(), 2, c, 2, accumulate: false);
        Assert.Equal(new float[4], c);
        Sgemm.MultiplyAddBias(false, false, 2, 2, 0, Array.Empty<float>(), 0, Array.Empty<float>(), 2, new float[] { 5, 6 }, c, 2);
        Assert.Equal(new float[] { 5, 6, 5, 6 }, c);
    }

    [Fact]
    public void TooShortOperandsAreRejected() =>
        Assert.Throws<ArgumentException>(() => Sgemm.Multiply(false, false, 2, 2, 2, new float[3], 2, new float[4], 2, new float[4], 2, false));

    /// <summary>
    /// Random op(A) (m x k), op(B) (k x n) and C (m x n) with padded leading dimensions, which catch stride mistakes,
    /// and one guard row below C: a kernel must not write there, nor past column n.
    /// </summary>
    private static (float[] A, int Lda, float[] B, int Ldb, float[] C, int Ldc) PaddedOperands(Rng rng, bool ta, bool tb, int m, int n, int k)
    {
        int lda = (ta ? m : k) + 3;
        int ldb = (tb ? k : n) + 2;
        int ldc = n + 5;
        var a = new float[(ta ? k : m) * lda];
        var b = new float[(tb ? n : k) * ldb];
        var c = new float[(m + 1) * ldc];
        rng.FillUniform(a, -1, 1);
        rng.FillUniform(b, -1, 1);
        rng.FillUniform(c, -1, 1);
        return (a, lda, b, ldb, c, ldc);
    }

    /// <summary>Dense A and B of the given lengths, uniform in [-1, 1).</summary>
    private static (float[] A, float[] B) RandomOperands(ulong seed, int aLength, int bLength)
    {
        var rng = new Rng(seed);
        var a = new float[aLength];
        var b = new float[bLength];
        rng.FillUniform(a, -1, 1);
        rng.FillUniform(b, -1, 1);
        return (a, b);
    }
}
