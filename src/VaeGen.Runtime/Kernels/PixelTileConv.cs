using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace VaeGen.Runtime.Kernels;

/// <summary>
/// A convolution's forward to many output channels (a multiple of 32) without a column matrix: a tile of 8 output
/// positions by 32 output channels is summed in 16 registers, each input value broadcast straight from the sample's
/// zero-padded planes (<see cref="DirectConv.Pad"/>) and multiplied by a row of 32 packed weights.
/// </summary>
/// <remarks>
/// <para>
/// im2col writes each input value about kh * kw / (sh * sw) times and the product packs that copy again; here the
/// padded planes are the only copy, and the tile's positions may lie anywhere in them, so any stride, dilation or
/// map width is the same loop. Against the im2col + GEMM layer on one thread, the encoder layers of the specs ran
/// 1.1-1.9x faster (docs/performance.md).
/// </para>
/// <para>
/// The weights are packed once per pass as [outChannels / 32][inChannels * taps][32] (<see cref="PackWeights"/>). A
/// sample runs 32 output channels at a time, in blocks of input channels whose weights (at most
/// <see cref="BlockRows"/> rows, 64 KB) stay in cache while every tile of the sample passes them. Each output is one
/// chain of fused multiply-adds over (input channel, tap) in order, carried from block to block in the scratch, and
/// then gets its bias: the same operations whichever thread runs the sample, so results do not depend on the thread
/// count. They differ from the im2col path's in the last bits.
/// </para>
/// </remarks>
internal static unsafe class PixelTileConv
{
    /// <summary>Output positions in a tile.</summary>
    public const int Positions = 8;

    /// <summary>Output channels in a tile: two 16-float vectors.</summary>
    public const int Channels = 32;

    /// <summary>
    /// The fewest input channels worth a tile: below, a block is a few dozen multiply-adds per tile, which the tile's
    /// transposed store would outweigh (the specs' first layers, of 1 and 3 channels, keep im2col).
    /// </summary>
    public const int MinInChannels = 16;

    /// <summary>Rows of packed weights per block: 512 x 32 floats, 64 KB.</summary>
    private const int BlockRows = 512;

    /// <summary>
    /// Whether a convolution may run here: AVX-512, output channels a multiple of 32, enough input channels, and a last
    /// tile that wastes at most an eighth of the tiles (a 7x7 map's 49 positions fill 7 tiles; a 2x2 map's 4 would
    /// leave half of one empty).
    /// </summary>
    /// <remarks>
    /// A 4x4 map (16 positions, two tiles) reads all the weights for two tiles per sample, where im2col's product shares
    /// them among a group of samples. On the previous development VM that made the tiles 0.85-0.98x of im2col there, and
    /// they started at 32 positions. On the Zen 5 VM they are faster: 1.21-1.37x im2col on one thread and 1.20-1.24x on
    /// two for seed002_rgb64's 128 -> 256 layer (4x4 kernels), 1.13-1.17x and 1.13-1.18x for VanillaVAE's (3x3); taking
    /// eight samples per pass so that they share each block of weights added only 1.02-1.06x (a throwaway probe, two
    /// runs, medians of 11 and 15 interleaved rounds).
    /// </remarks>
    public static bool Applies(in ConvGeometry g, int inChannels, int outChannels) =>
        Avx512F.IsSupported && outChannels % Channels == 0 && inChannels >= MinInChannels
        && TiledArea(g.OutArea) * 7 <= g.OutArea * 8;

    /// <summary>The output positions rounded up to whole tiles.</summary>
    public static int TiledArea(int area) => (area + Positions - 1) / Positions * Positions;

    /// <summary>Floats of a lane's scratch: one tile row of 32 channels per tiled position.</summary>
    public static int ScratchLength(int area) => TiledArea(area) * Channels;

    /// <summary>
    /// Packs a convolution's weight [outChannels, inChannels, kh, kw] as [outChannels / 32][inChannels * taps][32]: row
    /// c * taps + t of block b holds the weights of output channels 32b..32b + 31 for input channel c and tap t. This is
    /// the transpose of each 32-row block of the weight, so it is <see cref="Sgemm.PackTransposedStrips"/>.
    /// </summary>
    public static void PackWeights(ReadOnlySpan<float> weight, int outChannels, int inChannels, int taps, Span<float> packed) =>
        Sgemm.PackTransposedStrips(weight, outChannels, inChannels * taps, packed);

    /// <summary>
    /// For each tiled output position q (the last tile's spare ones repeat the last position), the offset in a padded
    /// plane of its window's top-left input: (oy * sh) * paddedW + ox * sw.
    /// </summary>
    public static void FillPositions(in ConvGeometry g, Span<int> positions)
    {
        int paddedW = g.InW + (2 * g.PadW);
        for (int q = 0; q < TiledArea(g.OutArea); q++)
        {
            int p = Math.Min(q, g.OutArea - 1);
            positions[q] = ((p / g.OutW) * g.StrideH * paddedW) + ((p % g.OutW) * g.StrideW);
        }
    }

    /// <summary>
    /// output[o, p] = bias[o] + sum over c, then taps (ki, kj), of weight(o, c, ki, kj) * padded[c, window of p] for one
    /// sample.
    /// </summary>
    /// <param name="padded">The sample's padded input planes [inChannels, inH + 2 padH, inW + 2 padW].</param>
    /// <param name="inChannels">Input channels.</param>
    /// <param name="g">The geometry.</param>
    /// <param name="packed">The weights as <see cref="PackWeights"/> left them.</param>
    /// <param name="outChannels">Output channels (a multiple of 32).</param>
    /// <param name="bias">bias[o], or empty for none.</param>
    /// <param name="positions">The geometry's <see cref="FillPositions"/>.</param>
    /// <param name="scratch">At least <see cref="ScratchLength"/> floats.</param>
    /// <param name="output">The sample's output [outChannels, outH * outW], overwritten.</param>
    /// <param name="channelStride">How far apart the output's channels lie: outH * outW (0, the default), or more.</param>
    public static void Forward(
        ReadOnlySpan<float> padded, int inChannels, in ConvGeometry g, ReadOnlySpan<float> packed, int outChannels, ReadOnlySpan<float> bias,
        ReadOnlySpan<int> positions, Span<float> scratch, Span<float> output, int channelStride = 0)
    {
        int taps = g.KernelArea;
        int paddedW = g.InW + (2 * g.PadW);
        int plane = (g.InH + (2 * g.PadH)) * paddedW;
        int area = g.OutArea;
        int tiled = TiledArea(area);
        int stride = channelStride == 0 ? area : channelStride;
        if (stride < area || padded.Length < inChannels * plane || packed.Length < outChannels * inChannels * taps || positions.Length < tiled
            || scratch.Length < ScratchLength(area) || output.Length < ((outChannels - 1) * stride) + area || (bias.Length != 0 && bias.Length < outChannels))
        {
            throw new ArgumentException("PixelTileConv.Forward: buffers too small for the geometry.");
        }

        int* tapOffsets = stackalloc int[taps];
        for (int ki = 0, t = 0; ki < g.KernelH; ki++)
        {
            for (int kj = 0; kj < g.KernelW; kj++, t++)
            {
                tapOffsets[t] = (ki * g.DilationH * paddedW) + (kj * g.DilationW);
            }
        }

        int channelsPerBlock = Math.Max(1, BlockRows / taps);
        fixed (float* planes = padded)
        fixed (float* weights = packed)
        fixed (int* at = positions)
        fixed (float* sums = scratch)
        fixed (float* outBase = output)
        fixed (float* biasBase = bias)
        {
            for (int block = 0; block < outChannels / Channels; block++)
            {
                float* blockWeights = weights + ((long)block * inChannels * taps * Channels);
                for (int c0 = 0; c0 < inChannels; c0 += channelsPerBlock)
                {
                    int c1 = Math.Min(inChannels, c0 + channelsPerBlock);
                    float* rows = blockWeights + ((long)c0 * taps * Channels);
                    for (int q = 0; q < tiled; q += Positions)
                    {
                        Tile(planes + ((long)c0 * plane), plane, at + q, tapOffsets, taps, c1 - c0, rows, sums + (q * Channels), first: c0 == 0);
                    }
                }

                float* channelBias = bias.Length == 0 ? null : biasBase + (block * Channels);
                for (int q = 0; q < tiled; q += Positions)
                {
                    StoreTile(sums + (q * Channels), channelBias, outBase + ((long)block * Channels * stride) + q, stride, Math.Min(Positions, area - q));
                }
            }
        }
    }

    /// <summary>
    /// Adds to a tile's 8 x 32 sums (or, for the first block, starts them at) the block's input channels: for each
    /// channel and tap, one broadcast input value per position times the tap's row of 32 weights.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile(float* planes, int plane, int* at, int* tapOffsets, int taps, int channels, float* w, float* sums, bool first)
    {
        Vector512<float> s00, s01, s10, s11, s20, s21, s30, s31, s40, s41, s50, s51, s60, s61, s70, s71;
        if (first)
        {
            s00 = s01 = s10 = s11 = s20 = s21 = s30 = s31 = s40 = s41 = s50 = s51 = s60 = s61 = s70 = s71 = Vector512<float>.Zero;
        }
        else
        {
            s00 = Vector512.Load(sums); s01 = Vector512.Load(sums + 16);
            s10 = Vector512.Load(sums + 32); s11 = Vector512.Load(sums + 48);
            s20 = Vector512.Load(sums + 64); s21 = Vector512.Load(sums + 80);
            s30 = Vector512.Load(sums + 96); s31 = Vector512.Load(sums + 112);
            s40 = Vector512.Load(sums + 128); s41 = Vector512.Load(sums + 144);
            s50 = Vector512.Load(sums + 160); s51 = Vector512.Load(sums + 176);
            s60 = Vector512.Load(sums + 192); s61 = Vector512.Load(sums + 208);
            s70 = Vector512.Load(sums + 224); s71 = Vector512.Load(sums + 240);
        }

        float* a0 = planes + at[0], a1 = planes + at[1], a2 = planes + at[2], a3 = planes + at[3];
        float* a4 = planes + at[4], a5 = planes + at[5], a6 = planes + at[6], a7 = planes + at[7];
        for (int c = 0; c < channels; c++, a0 += plane, a1 += plane, a2 += plane, a3 += plane, a4 += plane, a5 += plane, a6 += plane, a7 += plane)
        {
            for (int t = 0; t < taps; t++, w += Channels)
            {
                int o = tapOffsets[t];
                Vector512<float> w0 = Vector512.Load(w), w1 = Vector512.Load(w + 16);
                Vector512<float> x = Vector512.Create(a0[o]);
                s00 = Avx512F.FusedMultiplyAdd(x, w0, s00); s01 = Avx512F.FusedMultiplyAdd(x, w1, s01);
                x = Vector512.Create(a1[o]);
                s10 = Avx512F.FusedMultiplyAdd(x, w0, s10); s11 = Avx512F.FusedMultiplyAdd(x, w1, s11);
                x = Vector512.Create(a2[o]);
                s20 = Avx512F.FusedMultiplyAdd(x, w0, s20); s21 = Avx512F.FusedMultiplyAdd(x, w1, s21);
                x = Vector512.Create(a3[o]);
                s30 = Avx512F.FusedMultiplyAdd(x, w0, s30); s31 = Avx512F.FusedMultiplyAdd(x, w1, s31);
                x = Vector512.Create(a4[o]);
                s40 = Avx512F.FusedMultiplyAdd(x, w0, s40); s41 = Avx512F.FusedMultiplyAdd(x, w1, s41);
                x = Vector512.Create(a5[o]);
                s50 = Avx512F.FusedMultiplyAdd(x, w0, s50); s51 = Avx512F.FusedMultiplyAdd(x, w1, s51);
                x = Vector512.Create(a6[o]);
                s60 = Avx512F.FusedMultiplyAdd(x, w0, s60); s61 = Avx512F.FusedMultiplyAdd(x, w1, s61);
                x = Vector512.Create(a7[o]);
                s70 = Avx512F.FusedMultiplyAdd(x, w0, s70); s71 = Avx512F.FusedMultiplyAdd(x, w1, s71);
            }
        }

        s00.Store(sums); s01.Store(sums + 16);
        s10.Store(sums + 32); s11.Store(sums + 48);
        s20.Store(sums + 64); s21.Store(sums + 80);
        s30.Store(sums + 96); s31.Store(sums + 112);
        s40.Store(sums + 128); s41.Store(sums + 144);
        s50.Store(sums + 160); s51.Store(sums + 176);
        s60.Store(sums + 192); s61.Store(sums + 208);
        s70.Store(sums + 224); s71.Store(sums + 240);
    }

    /// <summary>
    /// A tile's sums (8 positions of 32 channels) into the channel-major output: four 8 x 8 register transposes, each
    /// channel's 8 positions then one store (masked for the last tile), after its bias when there is one.
    /// </summary>
    private static void StoreTile(float* sums, float* bias, float* output, int stride, int positions)
    {
        Vector256<float> mask = Vector256.LessThan(Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7), Vector256.Create(positions)).AsSingle();
        for (int c0 = 0; c0 < Channels; c0 += 8)
        {
            // Rows: positions 0..7, each channels c0..c0 + 7.
            float* s = sums + c0;
            Vector256<float> r0 = Avx.LoadVector256(s), r1 = Avx.LoadVector256(s + 32), r2 = Avx.LoadVector256(s + 64), r3 = Avx.LoadVector256(s + 96);
            Vector256<float> r4 = Avx.LoadVector256(s + 128), r5 = Avx.LoadVector256(s + 160), r6 = Avx.LoadVector256(s + 192), r7 = Avx.LoadVector256(s + 224);
            Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1), t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
            Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5), t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);
            Vector256<float> u0 = Avx.Shuffle(t0, t2, 0x44), u1 = Avx.Shuffle(t0, t2, 0xEE), u2 = Avx.Shuffle(t1, t3, 0x44), u3 = Avx.Shuffle(t1, t3, 0xEE);
            Vector256<float> u4 = Avx.Shuffle(t4, t6, 0x44), u5 = Avx.Shuffle(t4, t6, 0xEE), u6 = Avx.Shuffle(t5, t7, 0x44), u7 = Avx.Shuffle(t5, t7, 0xEE);

            // Channel c0 + i: positions 0..7.
            float* channelBias = bias == null ? null : bias + c0;
            float* d = output + ((long)c0 * stride);
            Put(Avx.Permute2x128(u0, u4, 0x20), channelBias, 0, d, stride, positions, mask);
            Put(Avx.Permute2x128(u1, u5, 0x20), channelBias, 1, d, stride, positions, mask);
            Put(Avx.Permute2x128(u2, u6, 0x20), channelBias, 2, d, stride, positions, mask);
            Put(Avx.Permute2x128(u3, u7, 0x20), channelBias, 3, d, stride, positions, mask);
            Put(Avx.Permute2x128(u0, u4, 0x31), channelBias, 4, d, stride, positions, mask);
            Put(Avx.Permute2x128(u1, u5, 0x31), channelBias, 5, d, stride, positions, mask);
            Put(Avx.Permute2x128(u2, u6, 0x31), channelBias, 6, d, stride, positions, mask);
            Put(Avx.Permute2x128(u3, u7, 0x31), channelBias, 7, d, stride, positions, mask);
        }
    }

    /// <summary>Channel i's 8 positions (plus its bias) to row i of the output.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put(Vector256<float> v, float* bias, int i, float* output, int stride, int positions, Vector256<float> mask)
    {
        if (bias != null)
        {
            v = Avx.Add(v, Vector256.Create(bias[i]));
        }

        float* d = output + ((long)i * stride);
        if (positions == Positions)
        {
            Avx.Store(d, v);
        }
        else
        {
            Avx.MaskStore(d, mask, v);
        }
    }
}
