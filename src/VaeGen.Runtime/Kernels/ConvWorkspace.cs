using System;

namespace VaeGen.Runtime.Kernels;

/// <summary>
/// How a convolution layer splits a batch into sample groups and the groups into a fixed number
/// of slots, with each slot's scratch buffers; see <see cref="Slots"/>.
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

    // The weight-gradient GEMM sums over the group's positions; fewer than a KC block of them
    // makes it re-read and re-write the whole gradient for little work.
    private const int MinPositions = 256;

    private (int Samples, int Rows, int Area, int StagingRows, int PlaneLength, int PartialLength, long? Budget) _shape = (-1, 0, 0, 0, 0, 0, null);

    public ConvWorkspace()
    {
        for (int s = 0; s < Slots; s++)
        {
            Columns[s] = Array.Empty<float>();
            Staging[s] = Array.Empty<float>();
            GatherPlane[s] = Array.Empty<float>();
            ScatterPlane[s] = Array.Empty<float>();
            Partial[s] = Array.Empty<float>();
        }
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

    /// <summary>Per slot: padded-plane scratch for im2col (zero outside its interior).</summary>
    public float[][] GatherPlane { get; } = new float[Slots][];

    /// <summary>Per slot: padded-plane scratch for col2im.</summary>
    public float[][] ScatterPlane { get; } = new float[Slots][];

    /// <summary>Per slot: partial parameter gradients (weight, then bias).</summary>
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
    public void Ensure(int samples, int rows, int area, int stagingRows, int planeLength, int partialLength, long? budget)
    {
        var shape = (samples, rows, area, stagingRows, planeLength, partialLength, budget);
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
            Columns[s] = new float[PlaneIm2Col.ColumnLength(rows, Ld)];
            Staging[s] = new float[stagingRows * Group * area];
            GatherPlane[s] = new float[planeLength];
            ScatterPlane[s] = new float[planeLength];
            Partial[s] = new float[partialLength];
        }
    }

    /// <summary>The groups [first, end) that slot <paramref name="slot"/> processes.</summary>
    public void SlotGroups(int slot, out int first, out int end)
    {
        first = Groups * slot / Slots;
        end = Groups * (slot + 1) / Slots;
    }

    /// <summary>
    /// Adds each busy slot's partial parameter gradients (weights, then bias) into the parameters'
    /// gradients in slot order, so the sum does not depend on which thread ran which slot.
    /// </summary>
    /// <param name="weightGrad">The weight gradient to accumulate into; its length is the weight count.</param>
    /// <param name="biasGrad">The bias gradient, or empty when the layer has no bias.</param>
    public void AddSlotPartials(Span<float> weightGrad, Span<float> biasGrad)
    {
        for (int slot = 0; slot < Slots; slot++)
        {
            SlotGroups(slot, out int first, out int end);
            if (first == end)
            {
                continue;
            }

            float[] partial = Partial[slot];
            System.Numerics.Tensors.TensorPrimitives.Add(weightGrad, partial.AsSpan(0, weightGrad.Length), weightGrad);
            System.Numerics.Tensors.TensorPrimitives.Add(biasGrad, partial.AsSpan(weightGrad.Length, biasGrad.Length), biasGrad);
        }
    }

    /// <summary>The samples [start, start + count) of group <paramref name="group"/>.</summary>
    public void GroupSamples(int group, out int start, out int count)
    {
        start = group * Group;
        count = Math.Min(Group, _shape.Samples - start);
    }

    /// <summary>Runs body.Run(slot, Slots) for every slot: in parallel when the work is large enough, else in order here.</summary>
    /// <param name="body">The per-slot work.</param>
    /// <param name="multiplyAdds">The layer's multiply-adds for the pass, to decide whether waking a worker pays.</param>
    public static void Run<T>(in T body, long multiplyAdds)
        where T : struct, IForkJoinBody
    {
        if (Sgemm.MaxThreads > 1 && multiplyAdds >= Sgemm.ParallelThreshold)
        {
            ForkJoin.Run(body, Slots);
        }
        else
        {
            for (int s = 0; s < Slots; s++)
            {
                body.Run(s, Slots);
            }
        }
    }
}
