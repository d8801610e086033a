using System;
using System.Runtime.Intrinsics.X86;
using VaeGen.Runtime.Init;
using VaeGen.Runtime.Kernels;
using VaeGen.Runtime.Layers;
using VaeGen.Runtime.Tensors;
using VaeGen.Shapes;
using VaeGen.Testing;
using Xunit;

namespace VaeGen.Runtime.Tests;

/// <summary>
/// <see cref="PhaseTileConv"/>, a transposed convolution's forward as one tile pass per output phase (thread
/// independence is in <see cref="ConvKernelTests"/>' "transposed tiles" cases).
/// </summary>
public sealed class PhaseTileConvTests
{
    /// <summary>
    /// Random geometries the phases take (kernel 1-5 at least the stride, stride 1-3, padding below the kernel, output
    /// padding below the stride, inputs of 2 to 13 by 2 to 11, so phases differ in size and in taps; 16-40 input
    /// channels, 32 or 64 output channels, with and without bias) against a double-precision sum; a stray store past
    /// the output would overwrite the NaN after it. The padded planes and the scratch are used again from trial to
    /// trial of one geometry, as a lane's are.
    /// </summary>
    [Fact]
    public void PhasesMatchADoubleReferenceOnRandomGeometries()
    {
        if (!Avx512F.IsSupported)
        {
            return;
        }

        var random = new Random(2027);
        int taken = 0;
        for (int trial = 0; trial < 400 && taken < 120; trial++)
        {
            int sh = random.Next(1, 4), sw = random.Next(1, 4);
            int kh = random.Next(sh, 6), kw = random.Next(sw, 6);
            int ph = random.Next(0, kh), pw = random.Next(0, kw), oph = random.Next(0, sh), opw = random.Next(0, sw);
            int inH = random.Next(2, 14), inW = random.Next(2, 12);
            int outH = (int)ShapeFormulas.TransposedConvolution(inH, kh, sh, ph, oph, 1);
            int outW = (int)ShapeFormulas.TransposedConvolution(inW, kw, sw, pw, opw, 1);
            if (outH < 1 || outW < 1)
            {
                continue;
            }

            var g = new ConvGeometry(outH, outW, kh, kw, sh, sw, ph, pw, 1, 1, inH, inW);
            int inChannels = random.Next(16, 41), outChannels = 32 * random.Next(1, 3);
            if (!PhaseTileConv.Applies(g, inChannels, outChannels))
            {
                continue;
            }

            taken++;
            bool withBias = trial % 3 != 0;
            var rng = new Rng((ulong)trial + 1);
            float[] weight = TestUtil.Random(rng, -1, 1, inChannels, outChannels, kh, kw).Data;
            float[] bias = withBias ? TestUtil.Random(rng, -1, 1, outChannels).Data : [];
            var tiles = new PhaseTileConv(g, inChannels, outChannels);
            tiles.PackWeights(weight, new float[tiles.PackScratchLength]);
            var padded = new float[tiles.PaddedLength];
            var sums = new float[tiles.ScratchLength];
            var phases = new float[tiles.PhasesLength];
            int length = outChannels * outH * outW;
            for (int sample = 0; sample < 2; sample++)
            {
                float[] image = TestUtil.Random(rng, -1, 1, inChannels, inH, inW).Data;
                var output = new float[length + 16];
                output.AsSpan().Fill(float.NaN);
                tiles.Forward(image, bias, padded, sums, phases, output.AsSpan(0, length));

                float[] expected = Reference(image, weight, bias, inChannels, outChannels, g);
                string what = $"trial {trial}, sample {sample}: {inChannels} -> {outChannels}, {inH}x{inW} -> {outH}x{outW} k{kh}x{kw} s{sh}x{sw} p{ph}x{pw} op{oph}x{opw}";
                Assert.True(RelativeError.Of(output.AsSpan(0, length), expected) <= 1e-5, what + ": differs from the double reference");
                Assert.All(output.AsSpan(length).ToArray(), v => Assert.True(float.IsNaN(v), what + ": wrote past the output"));
            }
        }

        Assert.True(taken >= 60, $"only {taken} random geometries ran on the phases");
    }

    /// <summary>
    /// The layer takes the phases where they apply, and its output matches the column path's within float rounding,
    /// for the specs' decoder layers: seed002_rgb64's (4x4 kernels), VanillaVAE's last two (3x3, output padding 1) and
    /// fashion_conv's (7x7 to 14x14: phases of 7x7).
    /// </summary>
    [Theory]
    [InlineData(256, 128, 4, 4, 1, 0)]
    [InlineData(64, 32, 16, 4, 1, 0)]
    [InlineData(64, 32, 16, 3, 1, 1)]
    [InlineData(32, 32, 32, 3, 1, 1)]
    [InlineData(64, 32, 7, 4, 1, 0)]
    public void TheLayerMatchesItsColumnPath(int inChannels, int outChannels, int size, int kernel, int padding, int outputPadding)
    {
        var tiles = new ConvTranspose2d(inChannels, outChannels, kernel, stride: 2, padding: padding, outputPadding: outputPadding, rng: new Rng(3));
        var gemm = new ConvTranspose2d(inChannels, outChannels, kernel, stride: 2, padding: padding, outputPadding: outputPadding, rng: new Rng(3)) { AllowTiles = false };
        Assert.Equal(Avx512F.IsSupported, tiles.UsesTiles(size, size));
        Assert.False(gemm.UsesTiles(size, size));
        Tensor x = TestUtil.Random(new Rng(4), -1, 1, 5, inChannels, size, size);
        float[] expected = gemm.Forward(x).Data;
        float[] actual = tiles.Forward(x).Data;
        Assert.True(RelativeError.Of(actual, expected) <= 1e-5, $"relative error {RelativeError.Of(actual, expected):E2}");
    }

    /// <summary>
    /// A convolution's input gradient is the transposed convolution of its output gradient: the layer takes the phases
    /// for it where they apply and matches its column path (GEMM, then col2im) within float rounding, for the specs'
    /// encoder layers: VanillaVAE's first to take them (3x3, 32x32 input), seed002_rgb64's (4x4, down to its 8x8 input). Its weight and bias gradients
    /// do not come from the phases: the same bits.
    /// </summary>
    [Theory]
    [InlineData(32, 64, 32, 3)]
    [InlineData(32, 64, 32, 4)]
    [InlineData(64, 128, 16, 4)]
    [InlineData(128, 256, 8, 4)]
    public void AConvolutionsInputGradientMatchesItsColumnPath(int inChannels, int outChannels, int size, int kernel)
    {
        var tiles = new Conv2d(inChannels, outChannels, kernel, stride: 2, padding: 1, rng: new Rng(3));
        var gemm = new Conv2d(inChannels, outChannels, kernel, stride: 2, padding: 1, rng: new Rng(3)) { AllowTiles = false };
        Assert.Equal(Avx512F.IsSupported, tiles.UsesInputGradientTiles(size, size));
        Assert.False(gemm.UsesInputGradientTiles(size, size));
        PixelTileConvTests.AssertInputGradientsMatch(tiles, gemm, size);
    }

    /// <summary>
    /// Where the phases do not apply, the layer keeps the column path: output channels not a multiple of 32 (an image
    /// decoder's last layer), few input channels, phases of 2x2 (half of each tile empty), a kernel smaller than the
    /// stride (phases without a tap), a dilation, and a 3x3 kernel of stride 2 (phases of one tap) below 16x16 phases,
    /// forward or as a convolution's input gradient.
    /// </summary>
    [Fact]
    public void TheLayerKeepsTheColumnPathWhereThePhasesDoNotApply()
    {
        Assert.False(new ConvTranspose2d(32, 3, 4, stride: 2, padding: 1).UsesTiles(32, 32));
        Assert.False(new ConvTranspose2d(8, 32, 4, stride: 2, padding: 1).UsesTiles(16, 16));
        Assert.False(new ConvTranspose2d(512, 256, 3, stride: 2, padding: 1, outputPadding: 1).UsesTiles(2, 2));
        Assert.False(new ConvTranspose2d(64, 32, 1, stride: 2).UsesTiles(16, 16));
        Assert.False(new ConvTranspose2d(64, 32, 3, stride: 2, dilation: 2).UsesTiles(16, 16));
        Assert.False(new ConvTranspose2d(128, 64, 3, stride: 2, padding: 1, outputPadding: 1).UsesTiles(8, 8));
        Assert.True(new ConvTranspose2d(64, 32, 3, stride: 2, padding: 1, outputPadding: 1).UsesTiles(16, 16) || !Avx512F.IsSupported);
        Assert.False(new Conv2d(64, 128, 3, stride: 2, padding: 1).UsesInputGradientTiles(16, 16));
    }

    /// <summary>One sample's transposed convolution summed in double precision: output s i + k - p gets input i through tap k.</summary>
    private static float[] Reference(float[] image, float[] weight, float[] bias, int inChannels, int outChannels, in ConvGeometry g)
    {
        int inH = g.OutH, inW = g.OutW, outH = g.InH, outW = g.InW, kh = g.KernelH, kw = g.KernelW;
        var sums = new double[outChannels * outH * outW];
        for (int o = 0; o < outChannels; o++)
        {
            for (int c = 0; c < inChannels; c++)
            {
                for (int y = 0; y < inH; y++)
                {
                    for (int x = 0; x < inW; x++)
                    {
                        for (int i = 0; i < kh; i++)
                        {
                            for (int j = 0; j < kw; j++)
                            {
                                int oy = (y * g.StrideH) + i - g.PadH, ox = (x * g.StrideW) + j - g.PadW;
                                if (oy >= 0 && oy < outH && ox >= 0 && ox < outW)
                                {
                                    sums[(((o * outH) + oy) * outW) + ox] += (double)weight[(((c * outChannels) + o) * kh + i) * kw + j] * image[(((c * inH) + y) * inW) + x];
                                }
                            }
                        }
                    }
                }
            }
        }

        var expected = new float[sums.Length];
        for (int n = 0; n < sums.Length; n++)
        {
            expected[n] = (float)(sums[n] + (bias.Length != 0 ? bias[n / (outH * outW)] : 0));
        }

        return expected;
    }
}
