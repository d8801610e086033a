using System;
using System.Threading;

namespace VaeGen.Runtime.Kernels;

/// <summary>
/// How a convolution layer splits a batch into sample groups and the groups into a fixed number
/// of slots, with each slot's scratch buffers; see <see cref="Slots"/> and <see cref="Run"/>.
/// </summary>
/// <remarks>
/// A group's samples share one column matrix and one GEMM (a wide N keeps the micro-kernel busy
/// where one sample's outH * outW is often below 100). Group size and slot ranges depend only on
/// the shapes, never on the thread count.
/// </remarks>
internal sealed class ConvWorkspace
{
    /// <summary>
    /// Slots run in parallel, each on its own buffers, and each keeps its own partial weight
    /// gradient, summed in slot order at the end. The count is a constant, not the core count:
    /// the partial sums, and so the gradients' last bits, must not depend on the machine.
    /// </summary>
    public const int Slots = 2;

    /// <summary>
    /// Default column-matrix size per group in floats (512 KB): small enough to stay in L2
    /// between im2col writing it and the GEMM packing it.
    /// </summary>
    public const long DefaultColumnBudget = 1L << 17;

    /// <summary>
    /// Products in a wide slot split from 2^19 multiply-adds (or <see cref="Sgemm.ParallelThreshold"/>, if lower):
    /// ConvolutionThreadScaling with wide slots on two threads, training steps 1.20-1.35x one thread at 2^23 against
    /// 1.30-1.46x at 2^21 and 2^19 (SgemmBenchmarks.ParallelThresholdSweep: with spinning workers 128^3 already ran
    /// faster on two threads, 96^3 not).
    /// </summary>
    private const long WideProductThreshold = 1L << 19;

    private static int s_wideFromThreads = 2 * Slots;

    // The weight-gradient GEMM sums over the group's positions; fewer than a KC block of them
    // makes it re-read and re-write the whole gradient for little work.
    private const int MinPositions = 256;

    // A cache line per slot, so the two slots' claims do not contend for one.
    private const int QueueStride = 8;

    private (int Samples, int Rows, int Area, int StagingRows, int PlaneLength, int PartialLength, long? Budget, bool Columns) _shape = (-1, 0, 0, 0, 0, 0, null, true);

    // Per slot, the units of a shared pass it has not handed out yet: the next one in the low half, the end in the high.
    private readonly long[] _queue = new long[Slots * QueueStride];

    // Whether a slot that has run out of units takes the other's (set by Run for the pass it runs).
    private bool _sharing;

    public ConvWorkspace()
    {
        for (int s = 0; s < Slots; s++)
        {
            Columns[s] = Array.Empty<float>();
            Staging[s] = Array.Empty<float>();
            Partial[s] = Array.Empty<float>();
        }
    }

    /// <summary>
    /// The thread count from which slots run wide (see <see cref="Run"/>; default twice <see cref="Slots"/>).
    /// Tests and benchmarks lower it to run wide slots on a small machine; results do not depend on it.
    /// </summary>
    internal static int WideFromThreads
    {
        get => Volatile.Read(ref s_wideFromThreads);
        set => Volatile.Write(ref s_wideFromThreads, value >= 2 ? value : throw new ArgumentOutOfRangeException(nameof(value)));
    }

    /// <summary>Samples per group (the last group may be smaller).</summary>
    public int Group { get; private set; }

    /// <summary>Number of groups.</summary>
    public int Groups { get; private set; }

    /// <summary>Row stride of the column buffers: the widest group plus vector slack.</summary>
    public int Ld { get; private set; }

    /// <summary>Per slot: column matrix [rows, Ld].</summary>
    public float[][] Columns { get; } = new float[Slots][];

    /// <summary>Per slot: channel-major staging [channels, group * area].</summary>
    public float[][] Staging { get; } = new float[Slots][];

    /// <summary>
    /// Per lane: the scratch of one thread's per-sample work (padded planes for im2col and col2im and
    /// for the direct path). A slot running alone on a thread is lane <c>slot</c>; a wide slot gives
    /// each of its parts its own lane (see <see cref="Run"/>).
    /// </summary>
    public Lane[] Lanes { get; private set; } = Array.Empty<Lane>();

    /// <summary>Per slot after the first: partial parameter gradients (weight, then bias); slot 0 sums into the gradients themselves.</summary>
    public float[][] Partial { get; } = new float[Slots][];

    /// <summary>Samples per group for a batch: depends only on the arguments.</summary>
    /// <param name="samples">Batch size.</param>
    /// <param name="rows">Rows of the column matrix (C * kh * kw).</param>
    /// <param name="area">Columns per sample (outH * outW of the convolution).</param>
    /// <param name="budget">Column-matrix floats per group, or null for the default policy.</param>
    public static int GroupSize(int samples, int rows, int area, long? budget)
    {
        long perSample = Math.Max(1L, (long)rows * area);
        long group = Math.Max(1L, (budget ?? DefaultColumnBudget) / perSample);
        if (budget is null)
        {
            group = Math.Max(group, (MinPositions + area - 1) / area);
        }

        // No larger than a slot's share, then evened out so both slots get as many groups.
        int perSlot = (samples + Slots - 1) / Slots;
        group = Math.Clamp(group, 1, Math.Max(1, perSlot));
        long groupsPerSlot = Math.Max(1, (perSlot + group - 1) / group);
        return (int)Math.Max(1, (perSlot + groupsPerSlot - 1) / groupsPerSlot);
    }

    /// <summary>Sizes the groups and (re)allocates the buffers when a shape changed; otherwise does nothing.</summary>
    /// <param name="samples">Batch size.</param>
    /// <param name="rows">Rows of the column matrix (C * kh * kw).</param>
    /// <param name="area">Columns per sample (outH * outW of the convolution).</param>
    /// <param name="stagingRows">Channels of the staging buffer.</param>
    /// <param name="planeLength">Floats of a lane's padded planes for im2col and col2im.</param>
    /// <param name="partialLength">Floats of a slot's partial parameter gradients.</param>
    /// <param name="budget">Column-matrix floats per group, or null for the default policy.</param>
    /// <param name="columns">
    /// Whether the layer's passes use the column and staging buffers at all: a convolution that runs on
    /// <see cref="DirectConv"/> does not, and VanillaVAE's last layer would otherwise hold 9.4 MiB of them.
    /// </param>
    public void Ensure(int samples, int rows, int area, int stagingRows, int planeLength, int partialLength, long? budget, bool columns = true)
    {
        var shape = (samples, rows, area, stagingRows, planeLength, partialLength, budget, columns);
        if (shape == _shape)
        {
            return;
        }

        _shape = shape;
        Group = GroupSize(samples, rows, area, budget);
        Groups = (samples + Group - 1) / Group;
        Ld = (Group * area) + PlaneIm2Col.ColumnSlack;
        for (int s = 0; s < Slots; s++)
        {
            Columns[s] = columns ? new float[PlaneIm2Col.ColumnLength(rows, Ld)] : Array.Empty<float>();
            Staging[s] = columns ? new float[stagingRows * Group * area] : Array.Empty<float>();
            Partial[s] = s == 0 ? Array.Empty<float>() : new float[partialLength];
        }

        Lanes = Array.Empty<Lane>();
        EnsureLanes(Slots);
    }

    /// <summary>Makes at least <paramref name="count"/> lanes for the current shape; on the calling thread, before any part runs.</summary>
    public void EnsureLanes(int count)
    {
        if (Lanes.Length >= count)
        {
            return;
        }

        Lane[] lanes = new Lane[count];
        Lanes.CopyTo(lanes, 0);
        for (int l = Lanes.Length; l < count; l++)
        {
            lanes[l] = new Lane(_shape.PlaneLength);
        }

        Lanes = lanes;
    }

    /// <summary>The groups [first, end) that slot <paramref name="slot"/> processes.</summary>
    public void SlotGroups(int slot, out int first, out int end)
    {
        (first, end) = ForkJoin.Share(Groups, slot, Slots);
    }

    /// <summary>The samples [s0, s0 + count) of slot <paramref name="slot"/>'s groups, which are contiguous.</summary>
    public void SlotSamples(int slot, out int s0, out int count)
    {
        SlotGroups(slot, out int first, out int end);
        s0 = Math.Min(first * Group, _shape.Samples);
        count = Math.Min(end * Group, _shape.Samples) - s0;
    }

    /// <summary>
    /// Adds each busy later slot's partial parameter gradients (weights, then bias) into the parameters'
    /// gradients, which hold slot 0's sums, in slot order, so the sum does not depend on which thread ran which slot.
    /// </summary>
    /// <param name="weightGrad">The weight gradient to accumulate into; its length is the weight count.</param>
    /// <param name="biasGrad">The bias gradient, or empty when the layer has no bias.</param>
    public void AddSlotPartials(Span<float> weightGrad, Span<float> biasGrad)
    {
        // Slot 0 summed straight into the gradients (Convolution.SlotGradients).
        for (int slot = 1; slot < Slots; slot++)
        {
            SlotGroups(slot, out int first, out int end);
            if (first == end)
            {
                continue;
            }

            float[] partial = Partial[slot];
            CachedElementwise.Add(weightGrad, partial.AsSpan(0, weightGrad.Length), weightGrad);
            System.Numerics.Tensors.TensorPrimitives.Add(biasGrad, partial.AsSpan(weightGrad.Length, biasGrad.Length), biasGrad);
        }
    }

    /// <summary>The samples [start, start + count) of group <paramref name="group"/>.</summary>
    public void GroupSamples(int group, out int start, out int count)
    {
        start = group * Group;
        count = Math.Min(Group, _shape.Samples - start);
    }

    /// <summary>
    /// Runs the pass over every slot. On one thread, or for work too small to share, the slots run in
    /// order here. With two or three threads, each slot runs alone on one. With four or more, the slots
    /// run one after another and each is <em>wide</em>: its per-sample loops and its products are spread
    /// over every thread (<see cref="ForEachSample"/>, <see cref="ProductSplit"/>), so a convolution
    /// uses every core of a large machine.
    /// </summary>
    /// <remarks>
    /// Every schedule gives the same bits: a slot's partial sums are formed group by group in the same
    /// order, the products split C only into the tiles one thread would compute (Sgemm), a
    /// per-sample (or per-channel) loop writes disjoint outputs, and a forward pass's groups or samples,
    /// which may move between the slots (<see cref="TakeUnit"/>), are each computed as one thread would. Wide slots cost a fork per step and
    /// cut each product into smaller ones, which run slower per multiply-add: on two threads their
    /// training steps were 0.82-0.97x as fast as with a slot per thread (SpecModelBenchmarks.ConvolutionThreadScaling
    /// on fashion_conv, seed002_rgb64 and vanilla_vae64; docs/performance.md), so they start where they have
    /// twice the threads.
    /// </remarks>
    /// <param name="pass">The per-slot work.</param>
    /// <param name="multiplyAdds">The layer's multiply-adds for the pass, to decide whether waking a worker pays.</param>
    /// <param name="units">
    /// What the pass hands out with <see cref="TakeUnit"/> (a forward pass: nothing is summed across samples), or
    /// <see cref="SlotUnits.None"/> (a backward pass, whose slots keep their own partial sums).
    /// </param>
    public void Run<T>(in T pass, long multiplyAdds, SlotUnits units = SlotUnits.None)
        where T : struct, ISlotPass
    {
        int threads = Sgemm.MaxThreads;
        bool parallel = threads > 1 && multiplyAdds >= Sgemm.ParallelThreshold;
        bool wide = parallel && threads >= WideFromThreads;
        if (units != SlotUnits.None)
        {
            FillQueue(units);
        }

        _sharing = parallel && !wide && units != SlotUnits.None;
        if (!parallel)
        {
            for (int s = 0; s < Slots; s++)
            {
                pass.RunSlot(s, wide: false);
            }
        }
        else if (!wide)
        {
            ForkJoin.Run(new SlotPerThread<T>(pass), Slots);
        }
        else
        {
            EnsureLanes(threads);
            for (int s = 0; s < Slots; s++)
            {
                pass.RunSlot(s, wide: true);
            }
        }
    }

    /// <summary>
    /// How a slot's products are split: over every thread in a wide slot, else on the slot's own. A wide slot has just
    /// forked, so its workers are spinning and a product pays to split from far fewer multiply-adds than
    /// <see cref="Sgemm.ParallelThreshold"/>, which prices a wake-up (<see cref="WideProductThreshold"/>).
    /// </summary>
    public static Sgemm.Parallelism ProductSplit(bool wide) =>
        wide ? new Sgemm.Parallelism(Sgemm.MaxThreads, Math.Min(WideProductThreshold, Sgemm.ParallelThreshold)) : Sgemm.Parallelism.SingleThread;

    /// <summary>
    /// The next unit (a sample group, or a sample: what <see cref="Run"/> was told) of a forward pass for slot
    /// <paramref name="slot"/>: its own in order and then, when each slot runs on a thread of its own, the other slot's
    /// from the back. A unit's outputs are the same whoever computes it, since a forward pass sums nothing across
    /// samples; a thread that finishes first (the two cores of a shared machine rarely run alike) takes work off the other
    /// instead of waiting for it. Run alone or wide, a slot gets exactly its own units, in order.
    /// </summary>
    /// <param name="slot">The slot asking.</param>
    /// <param name="unit">The unit to compute.</param>
    /// <returns>False when there is nothing left for this slot.</returns>
    public bool TakeUnit(int slot, out int unit)
    {
        if (TakeFrom(slot, fromBack: false, out unit))
        {
            return true;
        }

        for (int other = 0; _sharing && other < Slots; other++)
        {
            if (other != slot && TakeFrom(other, fromBack: true, out unit))
            {
                return true;
            }
        }

        return false;
    }

    private bool TakeFrom(int slot, bool fromBack, out int unit)
    {
        ref long entry = ref _queue[slot * QueueStride];
        while (true)
        {
            long seen = Volatile.Read(ref entry);
            int next = (int)seen, end = (int)(seen >> 32);
            if (next >= end)
            {
                unit = -1;
                return false;
            }

            unit = fromBack ? end - 1 : next;
            long taken = fromBack ? Pack(next, end - 1) : Pack(next + 1, end);
            if (Interlocked.CompareExchange(ref entry, taken, seen) == seen)
            {
                return true;
            }
        }
    }

    /// <summary>Each slot's own units: its sample groups (<see cref="SlotGroups"/>), or their samples (<see cref="SlotSamples"/>).</summary>
    private void FillQueue(SlotUnits units)
    {
        for (int slot = 0; slot < Slots; slot++)
        {
            int first, end;
            if (units == SlotUnits.Samples)
            {
                SlotSamples(slot, out first, out int count);
                end = first + count;
            }
            else
            {
                SlotGroups(slot, out first, out end);
            }

            Volatile.Write(ref _queue[slot * QueueStride], Pack(first, end));
        }
    }

    private static long Pack(int next, int end) => ((long)end << 32) | (uint)next;

    /// <summary>
    /// Runs body.Run(j, lane) for the samples j &lt; <paramref name="count"/> of a group: in order on lane
    /// <paramref name="slot"/> when the slot runs alone, else in contiguous ranges over every thread,
    /// part p on lane p. The body must write only what sample j owns.
    /// </summary>
    public void ForEachSample<T>(in T body, int count, int slot, bool wide)
        where T : struct, ISampleBody =>
        ForEachSampleChannels(new WholeSamples<T>(body), count, channels: 1, slot, wide);

    /// <summary>
    /// <see cref="ForEachSample"/> for work that also splits by channel: body.Run(j, c0, c1, lane) covers channels
    /// [c0, c1) of sample j. A wide slot with fewer samples than threads (a group of one 64x64 image) splits each
    /// sample's channels into as many blocks as it takes to give every thread work; otherwise a call covers a whole
    /// sample. The body must write only what those channels of sample j own.
    /// </summary>
    public void ForEachSampleChannels<T>(in T body, int count, int channels, int slot, bool wide)
        where T : struct, ISampleChannelBody
    {
        int threads = wide ? Math.Min(Sgemm.MaxThreads, Lanes.Length) : 1;
        int blocks = Math.Min(channels, (threads + count - 1) / Math.Max(1, count));
        int items = count * blocks;
        int parts = Math.Min(items, threads);
        if (parts <= 1)
        {
            int lane = wide ? 0 : slot;
            for (int j = 0; j < count; j++)
            {
                body.Run(j, 0, channels, lane);
            }

            return;
        }

        ForkJoin.Run(new SampleChannelRanges<T>(body, blocks, channels, items), parts);
    }

    /// <summary>One thread's scratch for per-sample work; zero borders stay zero because only interiors are written.</summary>
    internal sealed class Lane
    {
        public Lane(int planeLength)
        {
            GatherPlane = new float[planeLength];
            ScatterPlane = new float[planeLength];
        }

        /// <summary>Padded-plane scratch for im2col (zero outside its interior).</summary>
        public float[] GatherPlane { get; }

        /// <summary>Padded-plane scratch for col2im.</summary>
        public float[] ScatterPlane { get; }

        /// <summary>The direct path's padded input planes, made for <see cref="DirectInputGeometry"/>.</summary>
        public float[]? DirectInput;

        /// <summary>The geometry <see cref="DirectInput"/> was made for.</summary>
        public ConvGeometry DirectInputGeometry;

        /// <summary>The direct path's padded output-gradient planes, made for <see cref="DirectGradientGeometry"/>.</summary>
        public float[]? DirectGradient;

        /// <summary>The geometry <see cref="DirectGradient"/> was made for.</summary>
        public ConvGeometry DirectGradientGeometry;

        /// <summary><see cref="PixelTileConv"/>'s running sums of one sample, or null before its first use.</summary>
        public float[]? TileSums;

        /// <summary><see cref="PhaseTileConv"/>'s phase outputs of one sample, or null before its first use.</summary>
        public float[]? TilePhases;

        /// <summary>
        /// The padded input planes (<see cref="DirectInput"/>) or output-gradient planes (<see cref="DirectGradient"/>)
        /// of <paramref name="length"/> floats for <paramref name="g"/>, made when missing or made for another geometry
        /// or length. Fresh planes are zero, and their users write only interiors, so the borders stay zero.
        /// </summary>
        public float[] PaddedPlanes(bool gradients, in ConvGeometry g, int length)
        {
            ref float[]? planes = ref gradients ? ref DirectGradient : ref DirectInput;
            ref ConvGeometry made = ref gradients ? ref DirectGradientGeometry : ref DirectInputGeometry;
            if (planes is null || planes.Length != length || made != g)
            {
                planes = new float[length];
                made = g;
            }

            return planes;
        }

        /// <summary><paramref name="buffer"/>, made again when missing or shorter than <paramref name="length"/> (sums and phase outputs only grow).</summary>
        public static float[] AtLeast(ref float[]? buffer, int length) =>
            buffer is not null && buffer.Length >= length ? buffer : (buffer = new float[length]);
    }

    private readonly struct SlotPerThread<T> : IForkJoinBody
        where T : struct, ISlotPass
    {
        private readonly T _pass;

        public SlotPerThread(in T pass) => _pass = pass;

        public void Run(int part, int parts) => _pass.RunSlot(part, wide: false);
    }

    /// <summary>Part p of P takes a contiguous range of the (sample, channel block) items, sample-major.</summary>
    private readonly struct SampleChannelRanges<T> : IForkJoinBody
        where T : struct, ISampleChannelBody
    {
        private readonly T _body;
        private readonly int _blocks;
        private readonly int _channels;
        private readonly int _items;

        public SampleChannelRanges(in T body, int blocks, int channels, int items)
        {
            _body = body;
            _blocks = blocks;
            _channels = channels;
            _items = items;
        }

        public void Run(int part, int parts)
        {
            (int first, int end) = ForkJoin.Share(_items, part, parts);
            for (int item = first; item < end; item++)
            {
                int sample = item / _blocks, block = item % _blocks;
                _body.Run(sample, _channels * block / _blocks, _channels * (block + 1) / _blocks, part);
            }
        }
    }

    /// <summary>An <see cref="ISampleBody"/> as work of one channel block per sample.</summary>
    private readonly struct WholeSamples<T> : ISampleChannelBody
        where T : struct, ISampleBody
    {
        private readonly T _body;

        public WholeSamples(in T body) => _body = body;

        public void Run(int sample, int firstChannel, int endChannel, int lane) => _body.Run(sample, lane);
    }
}

/// <summary>A convolution pass, slot by slot (see <see cref="ConvWorkspace.Run"/>).</summary>
internal interface ISlotPass
{
    /// <summary>Computes the sample groups of one slot.</summary>
    /// <param name="slot">The slot, below <see cref="ConvWorkspace.Slots"/>.</param>
    /// <param name="wide">Whether the slot spreads its work over every thread instead of running on the calling one alone.</param>
    void RunSlot(int slot, bool wide);
}

/// <summary>Per-sample, per-channel work of a group (see <see cref="ConvWorkspace.ForEachSampleChannels"/>).</summary>
internal interface ISampleChannelBody
{
    /// <summary>Does channels [<paramref name="firstChannel"/>, <paramref name="endChannel"/>) of sample <paramref name="sample"/> with lane <paramref name="lane"/>'s scratch.</summary>
    void Run(int sample, int firstChannel, int endChannel, int lane);
}

/// <summary>Per-sample work of a group (see <see cref="ConvWorkspace.ForEachSample"/>).</summary>
internal interface ISampleBody
{
    /// <summary>Does sample <paramref name="sample"/>'s part of the work with lane <paramref name="lane"/>'s scratch.</summary>
    void Run(int sample, int lane);
}

/// <summary>What a forward pass hands out between its slots (<see cref="ConvWorkspace.TakeUnit"/>).</summary>
internal enum SlotUnits
{
    /// <summary>Nothing: each slot runs its own groups (a backward pass, whose slots keep partial sums).</summary>
    None,

    /// <summary>Sample groups.</summary>
    Groups,

    /// <summary>Samples (the per-sample paths).</summary>
    Samples,
}
