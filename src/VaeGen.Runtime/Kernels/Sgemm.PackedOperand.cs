using System;

namespace VaeGen.Runtime.Kernels;

public static unsafe partial class Sgemm
{
    /// <summary>
    /// An operand that many products read unchanged (a layer's weight while its model is in
    /// <see cref="Models.VaeModel.InferenceMode"/>), packed once into the strips a product would otherwise pack from it
    /// block by block, every time. Each strip runs over the whole of K, so a product's (k block, strip) panel is a slice
    /// of it and the micro-kernel reads the same numbers in the same order: results are the bits of packing per product.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Packing is a copy of the operand per product (per thread that computes part of it). For fashion_mlp's 784 x 400
    /// weight that is about 100 us of a 128-row product's 0.8 ms on one thread (docs/performance.md); a throwaway probe
    /// that skipped weight packing made whole evaluation passes 1.05-1.12x faster on four of the five reference specs.
    /// </para>
    /// <para>
    /// The owner packs nothing itself: the first product that reads the operand packs it in the layout that product's
    /// job needs (as its A, or as its B when <see cref="Multiply(bool, bool, int, int, int, ReadOnlySpan{float}, int, ReadOnlySpan{float}, int, Span{float}, int, bool)"/>
    /// computes C^T), under a lock, since a convolution's products run on several threads at once. A product that
    /// reads it differently (another shape or stride) packs it again. The owner always passes the same storage (a
    /// layer's weight array, from its start), and drops the object when the operand may change: nothing here can tell.
    /// </para>
    /// <para>
    /// The storage's address is not part of what is compared: the garbage collector moves a small array when it
    /// compacts, and a pack keyed on the address was redone after such a collection, allocating in a steady pass (a
    /// full test run's allocation test saw 88 KB a pass, fashion_conv's small layers repacked).
    /// </para>
    /// </remarks>
    internal sealed class PackedOperand
    {
        private readonly object _gate = new();
        private Panels? _asA;
        private Panels? _asB;

        /// <summary>Whether the operand has been packed for a product, as its A or as its B.</summary>
        internal bool IsPacked => _asA is not null || _asB is not null;

        /// <summary>The operand as <paramref name="job"/> reads it (its A or its B), packed the first time.</summary>
        internal float* PanelsFor(in Job job, bool asA)
        {
            var view = asA
                ? new View(job.TransA, job.Lda, job.M, job.K)
                : new View(job.TransB, job.Ldb, job.N, job.K);
            lock (_gate)
            {
                ref Panels? panels = ref asA ? ref _asA : ref _asB;
                if (panels is null || panels.View != view)
                {
                    panels = Pack(job, asA, view);
                }

                return panels.Start;
            }
        }

        private static Panels Pack(in Job job, bool asA, View view)
        {
            int strip = asA ? MR : NR;
            long strips = (view.Extent + strip - 1) / strip;

            // + 16: the vectorised A packing stores whole vectors, up to 4 floats past a strip; + 16 to start on a cache line.
            float[] buffer = GC.AllocateArray<float>(checked((int)(strips * strip * view.K) + 32), pinned: true);
            fixed (float* raw = buffer)
            {
                float* start = Job.AlignToLine(raw);
                if (asA)
                {
                    job.PackA(start, 0, view.Extent, 0, view.K, MR);
                }
                else
                {
                    job.PackB(start, 0, view.K, 0, view.Extent, NR);
                }

                // The buffer is pinned for its lifetime, so the address stays valid after the fixed block.
                return new Panels(buffer, start, view);
            }
        }

        /// <summary>How a product reads the operand: transposed or not, its row stride, and its extent (M or N) and K.</summary>
        private readonly record struct View(bool Transposed, int Stride, int Extent, int K);

        private sealed class Panels
        {
            public Panels(float[] buffer, float* start, View view)
            {
                Buffer = buffer;
                Start = start;
                View = view;
            }

            /// <summary>Keeps the pinned storage alive.</summary>
            public float[] Buffer { get; }

            public float* Start { get; }

            public View View { get; }
        }
    }
}
