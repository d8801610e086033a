using System;
using System.Runtime.Intrinsics.X86;
using VaeGen.Runtime.Init;
using VaeGen.Runtime.Kernels;
using VaeGen.Runtime.Layers;
using VaeGen.Runtime.Tensors;
using VaeGen.Testing;
using Xunit;

namespace VaeGen.Runtime.Tests;

/// <summary>
/// <see cref="PixelTileConv"/>, the forward of a convolution to a multiple of 32 channels without a column matrix
/// (thread independence is in <see cref="ConvKernelTests"/>' "tiles" cases).
/// </summary>
public sealed class PixelTileConvTests
{
    /// <summary>
    /// 200 random geometries (kernel 1-5, stride 1-3, padding 0-2, dilation 1-2, maps of 1 to 23 by 1 to 19 outputs,
    /// so that the last tile is any of 1-8 positions; 1-40 input channels, in one or two blocks, 32 or 64
    /// output channels, with and without bias) against a double-precision sum; a stray store past the output
    /// would overwrite the NaN after it.
    /// </summary>
    [Fact]
    public void TilesMatchADoubleReferenceOnRandomGeometries()
    {
        if (!Avx512F.IsSupported)
        {
            return;
        }

        var random = new Random(2026);
        for (int trial = 0; trial < 200; trial++)
        {
            int kh = random.Next(1, 6), kw = random.Next(1, 6), sh = random.Next(1, 4), sw = random.Next(1, 4);
            int ph = random.Next(0, Math.Min(3, kh)), pw = random.Next(0, Math.Min(3, kw)), dh = random.Next(1, 3), dw = random.Next(1, 3);
            int outH = random.Next(1, 24), outW = random.Next(1, 20);
            int inH = ((outH - 1) * sh) + (dh * (kh - 1)) + 1 - (2 * ph) + random.Next(0, sh);
            int inW = ((outW - 1) * sw) + (dw * (kw - 1)) + 1 - (2 * pw) + random.Next(0, sw);
            if (inH < 1 || inW < 1)
            {
                continue;
            }

            var g = new ConvGeometry(inH, inW, kh, kw, sh, sw, ph, pw, dh, dw);
            int inChannels = trial < 20 ? random.Next(1, 4) : random.Next(1, 41), outChannels = 32 * random.Next(1, 3);
            bool withBias = trial % 3 != 0;
            var rng = new Rng((ulong)trial + 1);
            float[] image = TestUtil.Random(rng, -1, 1, inChannels, inH, inW).Data;
            float[] weight = TestUtil.Random(rng, -1, 1, outChannels, inChannels, kh, kw).Data;
            float[] bias = withBias ? TestUtil.Random(rng, -1, 1, outChannels).Data : [];

            var padded = new float[DirectConv.PaddedLength(inChannels, inH, inW, ph, pw)];
            DirectConv.Pad(image, inChannels, inH, inW, ph, pw, padded);
            var packed = new float[weight.Length];
            PixelTileConv.PackWeights(weight, outChannels, inChannels, g.KernelArea, packed);
            var positions = new int[PixelTileConv.TiledArea(g.OutArea)];
            PixelTileConv.FillPositions(g, positions);
            var sums = new float[PixelTileConv.ScratchLength(g.OutArea)];
            int length = outChannels * g.OutArea;
            var output = new float[length + 16];
            output.AsSpan().Fill(float.NaN);
            PixelTileConv.Forward(padded, inChannels, g, packed, outChannels, bias, positions, sums, output.AsSpan(0, length));

            var expected = new float[length];
            for (int o = 0; o < outChannels; o++)
            {
                for (int oy = 0; oy < g.OutH; oy++)
                {
                    for (int ox = 0; ox < g.OutW; ox++)
                    {
                        double sum = withBias ? bias[o] : 0;
                        for (int c = 0; c < inChannels; c++)
                        {
                            for (int i = 0; i < kh; i++)
                            {
                                for (int j = 0; j < kw; j++)
                                {
                                    int y = (oy * sh) - ph + (i * dh), x = (ox * sw) - pw + (j * dw);
                                    if (y >= 0 && y < inH && x >= 0 && x < inW)
                                    {
                                        sum += (double)weight[(((o * inChannels) + c) * kh + i) * kw + j] * image[(((c * inH) + y) * inW) + x];
                                    }
                                }
                            }
                        }

                        expected[(o * g.OutArea) + (oy * g.OutW) + ox] = (float)sum;
                    }
                }
            }

            string what = $"trial {trial}: {inChannels} -> {outChannels}, {inH}x{inW} k{kh}x{kw} s{sh}x{sw} p{ph}x{pw} d{dh}x{dw}";
            Assert.True(RelativeError.Of(output.AsSpan(0, length), expected) <= 1e-5, what + ": differs from the double reference");
            Assert.All(output.AsSpan(length).ToArray(), v => Assert.True(float.IsNaN(v), what + ": wrote past the output"));
        }
    }

    /// <summary>
    /// The layer takes the tiles where they apply, and its output matches the im2col path's within float rounding,
    /// for spec shapes the tiles run: fashion_conv's second layer (7x7 outputs: a last tile of one position),
    /// seed002_rgb64's and VanillaVAE's encoder layers, down to their 4x4 outputs.
    /// </summary>
    [Theory]
    [InlineData(32, 64, 14, 4, 2, 1)]
    [InlineData(32, 64, 32, 4, 2, 1)]
    [InlineData(32, 64, 16, 3, 2, 1)]
    [InlineData(64, 128, 16, 3, 2, 1)]
    [InlineData(128, 256, 8, 4, 2, 1)]
    [InlineData(128, 256, 8, 3, 2, 1)]
    public void TheLayerMatchesItsIm2ColPath(int inChannels, int outChannels, int size, int kernel, int stride, int padding)
    {
        var tiles = new Conv2d(inChannels, outChannels, kernel, stride: stride, padding: padding, rng: new Rng(3));
        var gemm = new Conv2d(inChannels, outChannels, kernel, stride: stride, padding: padding, rng: new Rng(3)) { AllowTiles = false };
        Assert.Equal(Avx512F.IsSupported, tiles.UsesTiles(size, size));
        Assert.False(gemm.UsesTiles(size, size));
        Tensor x = TestUtil.Random(new Rng(4), -1, 1, 5, inChannels, size, size);
        float[] expected = gemm.Forward(x).Data;
        float[] actual = tiles.Forward(x).Data;
        Assert.True(RelativeError.Of(actual, expected) <= 1e-5, $"relative error {RelativeError.Of(actual, expected):E2}");
    }

    /// <summary>
    /// A transposed convolution's input gradient is the convolution of its output gradient: the layer takes the tiles
    /// for it where they apply and matches its im2col + GEMM path within float rounding, for the specs' decoder layers
    /// (seed002_rgb64's from 4x4, VanillaVAE's last, fashion_conv's 7x7). Its weight and bias gradients do not come from
    /// the tiles: the same bits.
    /// </summary>
    [Theory]
    [InlineData(256, 128, 4, 4, 0)]
    [InlineData(64, 32, 16, 4, 0)]
    [InlineData(32, 32, 32, 3, 1)]
    [InlineData(64, 32, 7, 4, 0)]
    public void ATransposedConvolutionsInputGradientMatchesItsIm2ColPath(int inChannels, int outChannels, int size, int kernel, int outputPadding)
    {
        var tiles = new ConvTranspose2d(inChannels, outChannels, kernel, stride: 2, padding: 1, outputPadding: outputPadding, rng: new Rng(3));
        var gemm = new ConvTranspose2d(inChannels, outChannels, kernel, stride: 2, padding: 1, outputPadding: outputPadding, rng: new Rng(3)) { AllowTiles = false };
        Assert.Equal(Avx512F.IsSupported, tiles.UsesInputGradientTiles(size, size));
        Assert.False(gemm.UsesInputGradientTiles(size, size));
        AssertInputGradientsMatch(tiles, gemm, size);
    }

    /// <summary>
    /// The input gradient of <paramref name="tiles"/> matches that of <paramref name="gemm"/> (the same layer without its
    /// tile paths) within float rounding, and their weight and bias gradients, which no tile path forms, bit for bit.
    /// </summary>
    internal static void AssertInputGradientsMatch(Convolution tiles, Convolution gemm, int size)
    {
        Tensor x = TestUtil.Random(new Rng(4), -1, 1, 5, tiles.InChannels, size, size);
        Tensor gy = TestUtil.Random(new Rng(5), -1, 1, gemm.Forward(x).Shape.ToArray());
        float[] expected = gemm.Backward(gy).Data;
        tiles.Forward(x);
        float[] actual = tiles.Backward(gy).Data;
        Assert.True(RelativeError.Of(actual, expected) <= 1e-5, $"relative error {RelativeError.Of(actual, expected):E2}");
        Assert.Equal(gemm.Weight.Grad.Data, tiles.Weight.Grad.Data);
        Assert.Equal(gemm.Bias!.Grad.Data, tiles.Bias!.Grad.Data);
    }

    /// <summary>
    /// Where the tiles do not pay, the layer keeps im2col: few input channels, output channels not a multiple of 32, a
    /// 2x2 map (half of its one tile empty).
    /// </summary>
    [Fact]
    public void TheLayerKeepsIm2ColWhereTilesDoNotApply()
    {
        Assert.False(new Conv2d(3, 32, 4, stride: 2, padding: 1).UsesTiles(64, 64));
        Assert.False(new Conv2d(32, 48, 4, stride: 2, padding: 1).UsesTiles(32, 32));
        Assert.False(new Conv2d(256, 512, 3, stride: 2, padding: 1).UsesTiles(4, 4));
    }
}
