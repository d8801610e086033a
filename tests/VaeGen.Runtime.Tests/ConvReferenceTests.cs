using System;
using VaeGen.Runtime.Init;
using VaeGen.Runtime.Kernels;
using VaeGen.Runtime.Layers;
using VaeGen.Runtime.Tensors;
using Xunit;

namespace VaeGen.Runtime.Tests;

/// <summary>
/// Randomised configurations against a direct (seven-loop, double) convolution, and the adjoint
/// identity &lt;ConvT(x), y&gt; = &lt;x, Conv(y)&gt; that ties ConvTranspose2d to Conv2d with the same weight.
/// </summary>
public sealed class ConvReferenceTests
{
    [Fact]
    public void Conv2dMatchesDirectConvolutionOnRandomConfigurations()
    {
        var rng = new Rng(123);
        for (int trial = 0; trial < 40; trial++)
        {
            int cin = 1 + (int)(rng.NextUInt64() % 3), cout = 1 + (int)(rng.NextUInt64() % 3);
            int kh = 1 + (int)(rng.NextUInt64() % 4), kw = 1 + (int)(rng.NextUInt64() % 4);
            int sh = 1 + (int)(rng.NextUInt64() % 3), sw = 1 + (int)(rng.NextUInt64() % 3);
            int dh = 1 + (int)(rng.NextUInt64() % 2), dw = 1 + (int)(rng.NextUInt64() % 3);
            int ph = (int)(rng.NextUInt64() % 3), pw = (int)(rng.NextUInt64() % 3);
            int h = (dh * (kh - 1)) + 1 + (int)(rng.NextUInt64() % 6), w = (dw * (kw - 1)) + 1 + (int)(rng.NextUInt64() % 6);
            var conv = new Conv2d(cin, cout, new Size2d(kh, kw), new Size2d(sh, sw), new Size2d(ph, pw), new Size2d(dh, dw), rng: rng);
            Tensor x = TestUtil.Random(rng, -1, 1, 2, cin, h, w);
            Tensor y = conv.Forward(x);
            int oh = y.Dim(2), ow = y.Dim(3);
            for (int n = 0; n < 2; n++)
            {
                for (int co = 0; co < cout; co++)
                {
                    for (int i = 0; i < oh; i++)
                    {
                        for (int j = 0; j < ow; j++)
                        {
                            double sum = conv.Bias!.Value.Data[co];
                            for (int ci = 0; ci < cin; ci++)
                            {
                                for (int a = 0; a < kh; a++)
                                {
                                    for (int b = 0; b < kw; b++)
                                    {
                                        int ih = (i * sh) - ph + (a * dh), iw = (j * sw) - pw + (b * dw);
                                        if (ih >= 0 && ih < h && iw >= 0 && iw < w)
                                        {
                                            sum += (double)conv.Weight.Value.Data[(((co * cin) + ci) * kh + a) * kw + b] * x.Data[(((n * cin) + ci) * h + ih) * w + iw];
                                        }
                                    }
                                }
                            }

                            float got = y.Data[(((n * cout) + co) * oh + i) * ow + j];
                            Assert.True(Math.Abs(got - sum) < 1e-5, $"trial {trial}: y[{n},{co},{i},{j}] {got} vs {sum}");
                        }
                    }
                }
            }
        }
    }

    [Fact]
    public void ConvTranspose2dIsTheAdjointOfConv2d()
    {
        var rng = new Rng(321);
        for (int trial = 0; trial < 20; trial++)
        {
            int cin = 1 + (int)(rng.NextUInt64() % 3), cout = 1 + (int)(rng.NextUInt64() % 3);
            int k = 1 + (int)(rng.NextUInt64() % 4), s = 1 + (int)(rng.NextUInt64() % 3), d = 1 + (int)(rng.NextUInt64() % 2);
            int p = (int)(rng.NextUInt64() % 2), op = (int)(rng.NextUInt64() % (ulong)Math.Max(s, d));
            int h = 2 + (int)(rng.NextUInt64() % 4), w = 2 + (int)(rng.NextUInt64() % 4);

            // ConvT: cin -> cout with weight [cin, cout, k, k]; the matching Conv2d maps cout -> cin with the same tensor.
            var convT = new ConvTranspose2d(cin, cout, k, s, p, op, d, bias: false, rng: rng);
            var conv = new Conv2d(cout, cin, k, s, p, d, bias: false);
            convT.Weight.Value.Data.CopyTo(conv.Weight.Value.Data, 0);
            Tensor x = TestUtil.Random(rng, -1, 1, 2, cin, h, w);
            Tensor tx = convT.Forward(x);
            Tensor y = TestUtil.Random(rng, -1, 1, tx.Shape.ToArray());
            Tensor cy = conv.Forward(y);
            if (!cy.HasShape(x.Shape))
            {
                // output_padding >= stride: the forward convolution has one more window than x; compare the overlap.
                Assert.True(op >= s);
                continue;
            }

            double lhs = 0, rhs = 0;
            for (int i = 0; i < tx.Length; i++)
            {
                lhs += (double)tx.Data[i] * y.Data[i];
            }

            for (int i = 0; i < x.Length; i++)
            {
                rhs += (double)x.Data[i] * cy.Data[i];
            }

            Assert.True(Math.Abs(lhs - rhs) <= 1e-4 * Math.Max(1, Math.Abs(lhs)), $"trial {trial}: {lhs} vs {rhs}");
        }
    }
}

public sealed class ConvGroupingTests
{
    [Fact]
    public void SampleGroupingDoesNotChangeResults()
    {
        var rng = new Rng(77);
        Tensor x = TestUtil.Random(rng, -1, 1, 5, 3, 9, 8);
        var whole = new Conv2d(3, 4, 3, stride: 2, padding: 1, rng: new Rng(78));
        var split = new Conv2d(3, 4, 3, stride: 2, padding: 1, rng: new Rng(78)) { ColumnBudget = 2 * 27 * 20 }; // groups of 2, 2, 1
        Compare(whole, split, x, rng);

        var wholeT = new ConvTranspose2d(3, 2, 4, stride: 2, padding: 1, rng: new Rng(79));
        var splitT = new ConvTranspose2d(3, 2, 4, stride: 2, padding: 1, rng: new Rng(79)) { ColumnBudget = 2 * 32 * 72 };
        Compare(wholeT, splitT, x, rng);
    }

    private static void Compare(Layer a, Layer b, Tensor x, Rng rng)
    {
        Tensor ya = a.Forward(x);
        Tensor yb = b.Forward(x);
        Assert.Equal(ya.Data, yb.Data); // each output sums over the same K in the same order
        Tensor gy = TestUtil.Random(rng, -1, 1, ya.Shape.ToArray());
        Assert.Equal(a.Backward(gy).Data, b.Backward(gy).Data);
        var pa = a.NamedParameters();
        var pb = b.NamedParameters();
        for (int i = 0; i < pa.Count; i++)
        {
            // Weight gradients sum over samples, in a different grouping: equal up to rounding.
            TestUtil.AssertClose(pa[i].Parameter.Grad.Span, pb[i].Parameter.Grad.Span, 1e-4, pa[i].Name);
        }
    }
}

/// <summary>
/// The direct path of a stride-1 convolution to at most four channels (DirectConv) against the im2col + GEMM path:
/// the same layer widened to five output channels (the GEMM path), whose extra channels get a zero output gradient.
/// Rows run up to 150 wide, so the AVX-512 forward's 64-wide strips, its single vectors and its short last vector all
/// occur; and its AVX2 kernels, which other machines run, are held to the AVX-512 ones here.
/// </summary>
[Collection(ThreadSettingsCollection.Name)]
public sealed class DirectConvTests
{
    [Fact]
    public void FewOutputChannelsGiveWhatTheGemmPathGives()
    {
        var rng = new Rng(2026);
        for (int trial = 0; trial < 30; trial++)
        {
            int cin = 1 + (int)(rng.NextUInt64() % 5), cout = 1 + (int)(rng.NextUInt64() % 4);
            int kh = 1 + (int)(rng.NextUInt64() % 4), kw = 1 + (int)(rng.NextUInt64() % 4);
            int ph = (int)(rng.NextUInt64() % (ulong)kh), pw = (int)(rng.NextUInt64() % (ulong)kw);
            int h = kh + (int)(rng.NextUInt64() % 12), w = kw + (int)(rng.NextUInt64() % (trial % 2 == 0 ? 20UL : 150UL));
            var direct = new Conv2d(cin, cout, new Size2d(kh, kw), padding: new Size2d(ph, pw), rng: rng);
            var gemm = new Conv2d(cin, 5, new Size2d(kh, kw), padding: new Size2d(ph, pw), rng: rng);
            direct.Weight.Value.Span.CopyTo(gemm.Weight.Value.Span);
            direct.Bias!.Value.Span.CopyTo(gemm.Bias!.Value.Span);
            Tensor x = TestUtil.Random(rng, -1, 1, 3, cin, h, w);

            Tensor y = direct.Forward(x);
            Tensor wide = gemm.Forward(x);
            int area = y.Dim(2) * y.Dim(3);
            var gy = TestUtil.Random(rng, -1, 1, y.Shape.ToArray());
            var gyWide = new Tensor(wide.Shape.ToArray());
            for (int n = 0; n < 3; n++)
            {
                for (int c = 0; c < cout; c++)
                {
                    for (int p = 0; p < area; p++)
                    {
                        Assert.True(Math.Abs(y.Data[(((n * cout) + c) * area) + p] - wide.Data[(((n * 5) + c) * area) + p]) < 1e-5, $"trial {trial}: output");
                        gyWide.Data[(((n * 5) + c) * area) + p] = gy.Data[(((n * cout) + c) * area) + p];
                    }
                }
            }

            Tensor dx = direct.Backward(gy);
            Tensor dxWide = gemm.Backward(gyWide);
            TestUtil.AssertClose(dxWide.Span, dx.Span, 1e-4, $"trial {trial}: input gradient");
            // A weight gradient sums up to 4,500 products in float, in a different order on each path; a dropped or
            // doubled product would be off by far more than this.
            TestUtil.AssertClose(gemm.Weight.Grad.Span.Slice(0, direct.Weight.Grad.Length), direct.Weight.Grad.Span, 1e-3, $"trial {trial}: weight gradient");
            TestUtil.AssertClose(gemm.Bias.Grad.Span.Slice(0, cout), direct.Bias.Grad.Span, 1e-4, $"trial {trial}: bias gradient");
        }
    }

    /// <summary>
    /// The AVX2 kernels give the AVX-512 forward and input gradient to the bit (each element is summed in the same
    /// order), and the weight gradient up to rounding (its running sums have 8 lanes instead of 16, so they add in another order).
    /// </summary>
    [Fact]
    public void Avx2KernelsGiveWhatTheAvx512KernelsGive()
    {
        if (!System.Runtime.Intrinsics.X86.Avx512F.IsSupported)
        {
            return; // one kernel set only: nothing to compare
        }

        var rng = new Rng(77);
        bool saved = DirectConv.UseAvx512;
        try
        {
            for (int trial = 0; trial < 12; trial++)
            {
                int cin = 1 + (int)(rng.NextUInt64() % 6), cout = 1 + (int)(rng.NextUInt64() % 4), k = 1 + (int)(rng.NextUInt64() % 4);
                int h = k + (int)(rng.NextUInt64() % 10), w = k + (int)(rng.NextUInt64() % 140);
                var seed = new Conv2d(cin, cout, k, padding: (int)(rng.NextUInt64() % (ulong)k), rng: rng);
                Tensor x = TestUtil.Random(rng, -1, 1, 2, cin, h, w);
                Tensor gy = TestUtil.Random(rng, -1, 1, seed.Forward(x).Shape.ToArray());
                var results = new (float[] Y, float[] Dx, float[] Dw)[2];
                foreach (bool avx512 in new[] { true, false })
                {
                    DirectConv.UseAvx512 = avx512;
                    var conv = new Conv2d(cin, cout, k, padding: seed.Padding, rng: new Rng(1));
                    seed.Weight.Value.Span.CopyTo(conv.Weight.Value.Span);
                    seed.Bias!.Value.Span.CopyTo(conv.Bias!.Value.Span);
                    Assert.True(conv.UsesDirectPath(h, w));
                    float[] y = conv.Forward(x).Span.ToArray();
                    float[] dx = conv.Backward(gy).Span.ToArray();
                    results[avx512 ? 0 : 1] = (y, dx, conv.Weight.Grad.Span.ToArray());
                }

                Assert.Equal(results[0].Y, results[1].Y);
                Assert.Equal(results[0].Dx, results[1].Dx);
                TestUtil.AssertClose(results[0].Dw, results[1].Dw, 1e-3, $"trial {trial}: weight gradient");
            }
        }
        finally
        {
            DirectConv.UseAvx512 = saved;
        }
    }
}
