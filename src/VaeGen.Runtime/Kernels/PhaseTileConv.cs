using System;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace VaeGen.Runtime.Kernels;

/// <summary>
/// A transposed convolution's forward (or, the same thing, a convolution's input gradient) without a column matrix:
/// one <see cref="PixelTileConv"/> pass per output phase, whose outputs are then interleaved into the image.
/// </summary>
/// <remarks>
/// <para>
/// Along an axis, input i and tap k reach output s i + k - p. So the outputs s a + r of phase r (r &lt; s) take only the
/// taps k with k - p - r a multiple of s, and read the inputs a + (r + p - k) / s: a stride-1 convolution of the input
/// with those taps, in reverse order, over a window that starts (r + p - k_max) / s rows from a. Every phase of a 4x4
/// kernel of stride 2 is a 2x2 convolution, so its products are the stride-1 tiles' (inputs x taps deep) instead of
/// im2col's (inputs deep, 16 times as many rows), and no column matrix is written and read back by col2im.
/// </para>
/// <para>
/// All phases read one copy of the input, zero-padded by the most any phase reaches past an edge; a phase's window
/// starts where its first tap reads, which is that copy read from a later start. Each output is one chain of fused
/// multiply-adds over (input channel, tap) as <see cref="PixelTileConv"/> sums it, then its bias: the same operations on
/// any thread. They differ from the column path's in the last bits.
/// </para>
/// </remarks>
internal sealed class PhaseTileConv
{
    private readonly Phase[] _phases;
    private readonly int _inChannels;
    private readonly int _outChannels;
    private readonly int _padH;
    private readonly int _padW;

    /// <summary>For each tap ky * kw + kx of the kernel, its phase and its place in that phase's window order.</summary>
    private readonly (Phase Phase, int Tap)[] _tapPlaces;

    /// <summary>Plans the phases of a transposed convolution from <paramref name="inChannels"/> to <paramref name="outChannels"/>.</summary>
    /// <param name="g">The convolution the transposed one is the adjoint of: its input is the transposed output, its output the transposed input.</param>
    /// <param name="inChannels">The transposed convolution's input channels.</param>
    /// <param name="outChannels">Its output channels.</param>
    public PhaseTileConv(in ConvGeometry g, int inChannels, int outChannels)
    {
        if (!Fits(g))
        {
            throw new ArgumentException("PhaseTileConv: only a dilation of 1 and a kernel at least as large as the stride.", nameof(g));
        }

        Geometry = g;
        _inChannels = inChannels;
        _outChannels = outChannels;
        Axis[] rows = Axis.Phases(g.InH, g.OutH, g.KernelH, g.StrideH, g.PadH, out _padH);
        Axis[] columns = Axis.Phases(g.InW, g.OutW, g.KernelW, g.StrideW, g.PadW, out _padW);
        _phases = new Phase[rows.Length * columns.Length];
        int weightOffset = 0, outputOffset = 0;
        for (int ry = 0; ry < rows.Length; ry++)
        {
            for (int rx = 0; rx < columns.Length; rx++)
            {
                Axis y = rows[ry], x = columns[rx];
                var phaseGeometry = new ConvGeometry(g.OutH, g.OutW, y.Taps, x.Taps, 1, 1, _padH, _padW, 1, 1, y.Outputs, x.Outputs);
                var positions = new int[PixelTileConv.TiledArea(phaseGeometry.OutArea)];
                PixelTileConv.FillPositions(phaseGeometry, positions);
                int start = ((y.FirstShift + _padH) * PaddedWidth) + x.FirstShift + _padW;
                _phases[(ry * columns.Length) + rx] = new Phase(y, x, phaseGeometry, positions, start, weightOffset, outputOffset);
                weightOffset += inChannels * outChannels * y.Taps * x.Taps;
                outputOffset += outChannels * ChannelStride(phaseGeometry.OutArea);
            }
        }

        PackedWeights = new float[weightOffset];
        _tapPlaces = new (Phase, int)[g.KernelArea];
        foreach (Phase phase in _phases)
        {
            for (int u = 0; u < phase.Rows.Taps; u++)
            {
                for (int v = 0; v < phase.Columns.Taps; v++)
                {
                    _tapPlaces[(phase.Rows.Tap(u) * g.KernelW) + phase.Columns.Tap(v)] = (phase, (u * phase.Columns.Taps) + v);
                }
            }
        }

        PhasesLength = outputOffset;
        foreach (Phase phase in _phases)
        {
            ScratchLength = Math.Max(ScratchLength, PixelTileConv.ScratchLength(phase.Geometry.OutArea));
        }

        PaddedLength = DirectConv.PaddedLength(inChannels, g.OutH, g.OutW, _padH, _padW) + (2 * _padH * PaddedWidth) + (2 * _padW);
    }

    /// <summary>The geometry planned for.</summary>
    public ConvGeometry Geometry { get; }

    /// <summary>Floats of a sample's padded input planes (with room for the latest phase start).</summary>
    public int PaddedLength { get; }

    /// <summary>Floats of a sample's phase outputs before they are interleaved: an output's worth, each phase's channels a cache line apart.</summary>
    public int PhasesLength { get; }

    /// <summary>The largest running-sum scratch any phase needs (<see cref="PixelTileConv.ScratchLength"/>).</summary>
    public int ScratchLength { get; }

    /// <summary>The weights packed per phase (<see cref="PackWeights"/>).</summary>
    private float[] PackedWeights { get; }

    private int PaddedWidth => Geometry.OutW + (2 * _padW);

    /// <summary>
    /// Whether a transposed convolution of this geometry runs here: AVX-512, a dilation of 1, a kernel at least as large
    /// as the stride (so every phase has a tap), every phase a map the tiles take (<see cref="PixelTileConv.Applies"/>),
    /// and enough work per tile: every phase at least <see cref="MinTaps"/> taps, or at least
    /// <see cref="MinPositionsFewTaps"/> positions.
    /// </summary>
    /// <remarks>
    /// Against the column path, one layer at a time (a throwaway probe, batch 32, medians of 11 interleaved rounds, one
    /// and two threads): with 4x4 kernels of stride 2 (four taps in every phase) the forward ran 1.01-1.15x and a
    /// convolution's backward, its input gradient here, 1.03-1.09x on 16x16 and 32x32 inputs and 0.93-1.01x on 8x8. With
    /// 3x3 kernels (phases of one, two and four taps) the tiles of the one-tap phase are short, and the passes lost on small
    /// maps: forward 0.96-0.99x from 4x4 and 8x8 inputs, a backward 0.87-0.98x on 8x8 and 16x16; from 16x16 inputs
    /// (phases of 256 positions) they ran 1.04x and, to VanillaVAE's 64x64, 1.13x.
    /// </remarks>
    /// <param name="g">The convolution the transposed one is the adjoint of.</param>
    /// <param name="inChannels">The transposed convolution's input channels.</param>
    /// <param name="outChannels">Its output channels.</param>
    public static bool Applies(in ConvGeometry g, int inChannels, int outChannels)
    {
        if (!Fits(g))
        {
            return false;
        }

        // The smallest phase has the fewest outputs along each axis (the last, when a size is not a multiple of the
        // stride) and the fewest taps (k / s of them, rounded down).
        int rows = g.InH / g.StrideH, columns = g.InW / g.StrideW;
        if (rows < 1 || columns < 1)
        {
            return false;
        }

        var smallest = new ConvGeometry(g.OutH, g.OutW, 1, 1, 1, 1, 0, 0, 1, 1, Math.Min(rows, g.OutH), Math.Min(columns, g.OutW));
        var largest = new ConvGeometry(g.OutH, g.OutW, 1, 1, 1, 1, 0, 0, 1, 1, Math.Min((g.InH + g.StrideH - 1) / g.StrideH, g.OutH), Math.Min((g.InW + g.StrideW - 1) / g.StrideW, g.OutW));
        int fewestTaps = (g.KernelH / g.StrideH) * (g.KernelW / g.StrideW);
        return PixelTileConv.Applies(smallest, inChannels, outChannels) && PixelTileConv.Applies(largest, inChannels, outChannels)
            && (fewestTaps >= MinTaps || smallest.OutArea >= MinPositionsFewTaps);
    }

    /// <summary>Taps in every phase from which the tiles pay on any map they take (a 4x4 kernel of stride 2 has four).</summary>
    public const int MinTaps = 4;

    /// <summary>Positions in every phase from which the tiles pay whatever the taps (16x16 phases: 32x32 outputs of stride 2).</summary>
    public const int MinPositionsFewTaps = 256;

    /// <summary>
    /// Packs a transposed convolution's weight [in, out, kh, kw] for every phase, as <see cref="PixelTileConv.PackWeights"/>
    /// lays out a convolution's: block b of 32 output channels, row c * taps + t holds tap t of input channel c for those
    /// channels, the phase's taps in the order its windows read them (the largest k first).
    /// </summary>
    /// <remarks>
    /// For each input channel, its [out, kh * kw] weights are transposed by <see cref="Sgemm.PackTransposedStrips"/> into
    /// [out / 32][kh * kw][32], whose rows of 32 are then copied to their phases. Packing is part of every training step
    /// (the weights change): element by element, it took 4% of seed002_rgb64's step.
    /// </remarks>
    /// <param name="weight">The weight.</param>
    /// <param name="scratch">At least <see cref="PackScratchLength"/> floats.</param>
    public unsafe void PackWeights(ReadOnlySpan<float> weight, Span<float> scratch)
    {
        int taps = Geometry.KernelArea, blocks = _outChannels / PixelTileConv.Channels;
        int perChannel = _outChannels * taps;
        if (weight.Length < _inChannels * perChannel || scratch.Length < PackScratchLength)
        {
            throw new ArgumentException("PhaseTileConv.PackWeights: buffers too small for the weight.");
        }

        fixed (float* transposed = scratch)
        fixed (float* packed = PackedWeights)
        {
            for (int c = 0; c < _inChannels; c++)
            {
                Sgemm.PackTransposedStrips(weight.Slice(c * perChannel, perChannel), _outChannels, taps, scratch);
                for (int b = 0; b < blocks; b++)
                {
                    for (int k = 0; k < taps; k++)
                    {
                        (Phase phase, int t) = _tapPlaces[k];
                        int phaseTaps = phase.Rows.Taps * phase.Columns.Taps;
                        float* to = packed + phase.WeightOffset + ((((long)b * _inChannels * phaseTaps) + ((long)c * phaseTaps) + t) * PixelTileConv.Channels);
                        float* from = transposed + ((((long)b * taps) + k) * PixelTileConv.Channels);
                        Vector512.Store(Vector512.Load(from), to);
                        Vector512.Store(Vector512.Load(from + 16), to + 16);
                    }
                }
            }
        }
    }

    /// <summary>Floats of <see cref="PackWeights"/>' scratch: one input channel's weights.</summary>
    public int PackScratchLength => _outChannels * Geometry.KernelArea;

    /// <summary>One sample: output = bias + the transposed convolution of <paramref name="input"/>, with the weights <see cref="PackWeights"/> packed.</summary>
    /// <param name="input">The sample [in, H, W] (the geometry's output size).</param>
    /// <param name="bias">bias[o], or empty.</param>
    /// <param name="padded">At least <see cref="PaddedLength"/> floats whose borders stay zero (only interiors are written).</param>
    /// <param name="sums">At least <see cref="ScratchLength"/> floats.</param>
    /// <param name="phases">At least <see cref="PhasesLength"/> floats.</param>
    /// <param name="output">The sample's output [out, OH, OW] (the geometry's input size), overwritten.</param>
    public void Forward(ReadOnlySpan<float> input, ReadOnlySpan<float> bias, Span<float> padded, Span<float> sums, Span<float> phases, Span<float> output)
    {
        ConvGeometry g = Geometry;
        DirectConv.Pad(input, _inChannels, g.OutH, g.OutW, _padH, _padW, padded);
        foreach (Phase phase in _phases)
        {
            int taps = phase.Rows.Taps * phase.Columns.Taps;
            PixelTileConv.Forward(
                padded.Slice(phase.Start), _inChannels, phase.Geometry, PackedWeights.AsSpan(phase.WeightOffset, _outChannels * _inChannels * taps), _outChannels,
                bias, phase.Positions, sums, phases.Slice(phase.OutputOffset, _outChannels * ChannelStride(phase.Geometry.OutArea)), ChannelStride(phase.Geometry.OutArea));
        }

        Interleave(phases, output);
    }

    /// <summary>
    /// How far apart a phase's output channels lie: its area and one cache line more. The tiles store 8 positions of each
    /// of 32 channels at a time; at a power-of-two distance (a 32x32 phase: 4 KB) those 32 stores fall in one set of the
    /// level-1 cache, and storing took longer than the multiply-adds (VanillaVAE's last transposed convolution: 31% of a
    /// profile in the store, 21% in the tiles).
    /// </summary>
    private static int ChannelStride(int area) => area + 16;

    private static bool Fits(in ConvGeometry g) =>
        Avx512F.IsSupported && g.DilationH == 1 && g.DilationW == 1 && g.KernelH >= g.StrideH && g.KernelW >= g.StrideW;

    /// <summary>Each phase's outputs [out, rows, columns] to their places in the image: (s a + r) along each axis.</summary>
    private unsafe void Interleave(ReadOnlySpan<float> phases, Span<float> output)
    {
        ConvGeometry g = Geometry;
        int height = g.InH, width = g.InW, sy = g.StrideH, sx = g.StrideW;
        if (output.Length < _outChannels * height * width || phases.Length < PhasesLength)
        {
            throw new ArgumentException("PhaseTileConv.Interleave: buffers too small.");
        }

        fixed (float* from = phases)
        fixed (float* to = output)
        {
            for (int p = 0; p < _phases.Length; p += sx)
            {
                Phase first = _phases[p];
                int rows = first.Geometry.OutH;
                bool pairs = sx == 2 && _phases[p + 1].Geometry.OutW == first.Geometry.OutW;
                for (int o = 0; o < _outChannels; o++)
                {
                    float* plane = to + ((long)o * height * width);
                    for (int a = 0; a < rows; a++)
                    {
                        float* row = plane + ((long)((sy * a) + first.Rows.Phase) * width);
                        if (pairs)
                        {
                            int columns = first.Geometry.OutW;
                            long at = ((long)o * ChannelStride(first.Geometry.OutArea)) + ((long)a * columns);
                            Zip(from + _phases[p].OutputOffset + at, from + _phases[p + 1].OutputOffset + at, row, columns);
                            continue;
                        }

                        for (int r = 0; r < sx; r++)
                        {
                            Phase phase = _phases[p + r];
                            int columns = phase.Geometry.OutW;
                            float* src = from + phase.OutputOffset + ((long)o * ChannelStride(phase.Geometry.OutArea)) + ((long)a * columns);
                            for (int b = 0; b < columns; b++)
                            {
                                row[(sx * b) + r] = src[b];
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>row[2 i] = even[i], row[2 i + 1] = odd[i] for i &lt; n.</summary>
    private static unsafe void Zip(float* even, float* odd, float* row, int n)
    {
        int i = 0;
        for (; i + 8 <= n; i += 8)
        {
            Vector256<float> a = Avx.LoadVector256(even + i), b = Avx.LoadVector256(odd + i);
            Vector256<float> low = Avx.UnpackLow(a, b), high = Avx.UnpackHigh(a, b);
            Avx.Store(row + (2 * i), Avx.Permute2x128(low, high, 0x20));
            Avx.Store(row + (2 * i) + 8, Avx.Permute2x128(low, high, 0x31));
        }

        if (i + 4 <= n)
        {
            Vector128<float> a = Sse.LoadVector128(even + i), b = Sse.LoadVector128(odd + i);
            Sse.Store(row + (2 * i), Sse.UnpackLow(a, b));
            Sse.Store(row + (2 * i) + 4, Sse.UnpackHigh(a, b));
            i += 4;
        }

        for (; i < n; i++)
        {
            row[2 * i] = even[i];
            row[(2 * i) + 1] = odd[i];
        }
    }

    /// <summary>
    /// One phase along one axis: its taps (k with k - p - r a multiple of s), how many outputs it has, and how far from
    /// an output's own index its first tap reads.
    /// </summary>
    private readonly record struct Axis(int Phase, int Stride, int LastTap, int Taps, int Outputs, int FirstShift)
    {
        /// <summary>
        /// The phases of an axis of <paramref name="size"/> outputs from <paramref name="inputs"/> inputs, and the padding
        /// that lets every one read its windows from one copy of the input.
        /// </summary>
        public static Axis[] Phases(int size, int inputs, int kernel, int stride, int pad, out int padding)
        {
            var phases = new Axis[stride];
            padding = 0;
            for (int r = 0; r < stride; r++)
            {
                // The taps of phase r: k = k0, k0 + s, ..., below the kernel; input a + (r + p - k) / s.
                int k0 = (((r + pad) % stride) + stride) % stride;
                int taps = (kernel - k0 + stride - 1) / stride;
                int lastTap = k0 + ((taps - 1) * stride);
                int firstShift = (r + pad - lastTap) / stride;
                int lastShift = (r + pad - k0) / stride;
                int outputs = (size - r + stride - 1) / stride;
                padding = Math.Max(padding, Math.Max(-firstShift, (outputs - 1) + lastShift - (inputs - 1)));
                phases[r] = new Axis(r, stride, lastTap, taps, outputs, firstShift);
            }

            return phases;
        }

        /// <summary>The kernel index of the phase's u-th tap in window order (the largest k first).</summary>
        public int Tap(int u) => LastTap - (u * Stride);
    }

    /// <summary>One output phase: its axes, its stride-1 geometry and tile positions, where its window starts in the padded input, and where its weights and outputs lie.</summary>
    private sealed record Phase(Axis Rows, Axis Columns, ConvGeometry Geometry, int[] Positions, int Start, int WeightOffset, int OutputOffset);
}
