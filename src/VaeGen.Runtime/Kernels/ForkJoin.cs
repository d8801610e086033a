using System;
using System.Diagnostics;
using System.Runtime.ExceptionServices;
using System.Threading;

namespace VaeGen.Runtime.Kernels;

/// <summary>
/// A minimal fork-join over persistent worker threads that allocates nothing per call.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="System.Threading.Tasks.Parallel.For(int, int, Action{int})"/> allocated about 1.7 KB
/// on the calling thread per GEMM (measured by SgemmBenchmarks.ParallelPathAllocation), which broke
/// the allocation-free training step for layers large enough to go parallel. Here the caller runs
/// part 0 and hands one part to each dedicated worker. The body is a struct stored in a
/// per-type static slot and invoked through a function pointer, so nothing is boxed. A caller
/// that finds the pool busy (another thread is using it) runs every part itself; bodies must make
/// parts independent (e.g. fixed ranges of an output), so the result is the same either way.
/// </para>
/// <para>
/// Waking a parked thread costs tens of microseconds, as long as a whole product of a small model
/// (ForkJoinBenchmarks). So, as BLAS thread pools do, a worker spins for <see cref="SpinTime"/> after
/// its part before it parks, and the caller spins while it waits for the workers. Parking is a
/// Dekker handshake: the worker raises <c>Sleeping</c> and then reads its ticket; the caller bumps the
/// ticket and then takes the flag down, releasing the semaphore only if it was up. Both steps are
/// full fences, so at least one side sees the other's write and no job can be missed. The semaphore
/// is only a wake-up: a worker always decides by its ticket, and a spare release only costs it one
/// more look.
/// </para>
/// </remarks>
internal static unsafe class ForkJoin
{
    private static readonly object s_gate = new();
    private static Worker[] s_workers = Array.Empty<Worker>();
    private static delegate*<int, int, void> s_invoke;
    private static int s_parts;
    private static int s_pending;
    private static ExceptionDispatchInfo? s_error;
    private static long s_spinTicks = Stopwatch.Frequency / 2000;

    [ThreadStatic]
    private static bool t_busy;

    /// <summary>The worker threads available besides the caller.</summary>
    public static int Workers => Math.Max(0, Environment.ProcessorCount - 1);

    /// <summary>
    /// How long an idle worker keeps looking for its next part before it parks (default 0.5 ms:
    /// longer than the serial stretches between a training step's products, far shorter than a
    /// pause a user would notice as a busy core). Zero parks at once.
    /// </summary>
    internal static TimeSpan SpinTime
    {
        get => TimeSpan.FromSeconds((double)Volatile.Read(ref s_spinTicks) / Stopwatch.Frequency);
        set => Volatile.Write(ref s_spinTicks, value >= TimeSpan.Zero ? (long)(value.TotalSeconds * Stopwatch.Frequency) : throw new ArgumentOutOfRangeException(nameof(value)));
    }

    /// <summary>
    /// Part <paramref name="part"/>'s share [Start, End) of <paramref name="count"/> items split into <paramref name="parts"/>
    /// contiguous ranges: a function of the three numbers only, so which thread runs a part never changes what it covers.
    /// </summary>
    public static (int Start, int End) Share(int count, int part, int parts) =>
        ((int)((long)count * part / parts), (int)((long)count * (part + 1) / parts));

    /// <summary>
    /// Elementwise work (an optimizer update, an activation, a normalisation) is split over threads only from this many
    /// elements per part. With the workers spinning a fork costs about a microsecond, and a pass over an output that a
    /// split product or convolution has just written finds each part in the cache of the core that wrote it, where one
    /// thread would read the other cores' parts back: whole passes, 4K against 64K (docs/performance.md), seed000's
    /// training 1.13-1.15x and inference 1.06-1.08x, fashion_mlp's 1.02-1.03x and 1.07-1.08x, the convolutional models level.
    /// </summary>
    public const int ElementsPerPart = 1 << 12;

    /// <summary>Elements in a block of <see cref="ShareBlocks"/>: a whole number of vectors of every width (8 or 16 floats).</summary>
    public const int ElementBlock = 64;

    /// <summary>How many parts elementwise work over <paramref name="elements"/> items is split into: one per <see cref="ElementsPerPart"/>, at most <see cref="Sgemm.MaxThreads"/>, at least one.</summary>
    public static int PartsForElements(long elements) => (int)Math.Clamp(elements / ElementsPerPart, 1, Sgemm.MaxThreads);

    /// <summary>
    /// Part <paramref name="part"/>'s share [Start, End) of <paramref name="length"/> elements, cut on whole blocks of
    /// <see cref="ElementBlock"/> (the last part takes the remainder). A vector loop over a part then covers the same
    /// elements as it does over the whole array, and its scalar tail the same last few, so elementwise code gives the
    /// same bits however the work is split.
    /// </summary>
    public static (int Start, int End) ShareBlocks(int length, int part, int parts)
    {
        (int first, int end) = Share(length / ElementBlock, part, parts);
        return (first * ElementBlock, part == parts - 1 ? length : end * ElementBlock);
    }

    /// <summary>Elements in a chunk of <see cref="Chunks"/>: 32 KB of floats, within L1 and far below TensorPrimitives' 256 KB.</summary>
    public const int ChunkElements = 1 << 13;

    /// <summary>Whether elementwise passes run in chunks (benchmarks turn it off to time the whole-span calls against them).</summary>
    internal static bool ChunkPasses { get; set; } = true;

    /// <summary>
    /// How many chunks an elementwise pass over <paramref name="length"/> elements runs in, one per
    /// <see cref="ChunkElements"/>, cut with <see cref="ShareBlocks"/> (so the bits are those of one whole-span call).
    /// TensorPrimitives stores its results non-temporally, past every cache, once a destination reaches 256 KB: the next
    /// layer then reads its input back from memory, and an in-place call evicts each line it has just read (a 100K-float
    /// in-place subtraction took 2.5x as long as into another array). In chunks, the results stay in cache, and a
    /// sequence of passes over one chunk stays in L1.
    /// </summary>
    public static int Chunks(int length) => ChunkPasses ? Math.Max(1, length / ChunkElements) : 1;

    /// <summary>The ranges [start, end) of the <see cref="Chunks"/> of a pass over <paramref name="length"/> elements, for a foreach.</summary>
    /// <param name="length">The elements of the pass.</param>
    public static ChunkRanges ChunksOf(int length) => new(length);

    /// <summary>The chunks of a pass (<see cref="ChunksOf"/>); a struct enumerator, so a foreach over them allocates nothing.</summary>
    public readonly struct ChunkRanges
    {
        private readonly int _length;

        public ChunkRanges(int length) => _length = length;

        public Enumerator GetEnumerator() => new(_length);

        /// <summary>Walks the chunks in order.</summary>
        public struct Enumerator
        {
            private readonly int _length;
            private readonly int _chunks;
            private int _chunk;

            public Enumerator(int length)
            {
                _length = length;
                _chunks = Chunks(length);
                _chunk = -1;
            }

            public readonly (int Start, int End) Current => ShareBlocks(_length, _chunk, _chunks);

            public bool MoveNext() => ++_chunk < _chunks;
        }
    }

    /// <summary>
    /// Runs body.Run(part, parts) for every part, part 0 on the calling thread, and returns when all have finished. One
    /// part is just body.Run(0, 1) on the caller, so callers pass the part count they computed without a branch of their own.
    /// </summary>
    /// <param name="body">The computation; copied into static storage for the duration of the call.</param>
    /// <param name="parts">The number of parts.</param>
    public static void Run<T>(in T body, int parts)
        where T : struct, IForkJoinBody
    {
        // t_busy: a part that itself forks (the caller's part 0 holds s_gate, and Monitor is
        // reentrant) would hand work to workers that are still running this call's parts.
        if (parts <= 1 || Workers == 0 || t_busy || !Monitor.TryEnter(s_gate))
        {
            for (int p = 0; p < parts; p++)
            {
                body.Run(p, parts);
            }

            return;
        }

        t_busy = true;
        try
        {
            EnsureWorkers();
            int helpers = Math.Min(parts - 1, s_workers.Length);
            Slot<T>.Value = body;
            s_invoke = &Invoke<T>;
            s_parts = parts;
            s_error = null;
            Volatile.Write(ref s_pending, helpers);
            for (int w = 0; w < helpers; w++)
            {
                s_workers[w].Start();
            }

            try
            {
                body.Run(0, parts);

                // Parts beyond the worker count run here too.
                for (int p = helpers + 1; p < parts; p++)
                {
                    body.Run(p, parts);
                }
            }
            finally
            {
                // The workers' parts are as long as this one: spin (yielding the core if someone
                // else wants it) instead of parking and paying for a wake-up.
                SpinWait wait = default;
                while (Volatile.Read(ref s_pending) != 0)
                {
                    wait.SpinOnce(sleep1Threshold: -1);
                }

                Slot<T>.Value = default;
            }

            s_error?.Throw();
        }
        finally
        {
            t_busy = false;
            Monitor.Exit(s_gate);
        }
    }

    private static void Invoke<T>(int part, int parts)
        where T : struct, IForkJoinBody
        => Slot<T>.Value.Run(part, parts);

    private static void EnsureWorkers()
    {
        if (s_workers.Length == Workers)
        {
            return;
        }

        var workers = new Worker[Workers];
        for (int w = 0; w < workers.Length; w++)
        {
            var worker = new Worker();
            int part = w + 1;
            workers[w] = worker;
            new Thread(() => worker.Loop(part)) { IsBackground = true, Name = $"VaeGen worker {part}" }.Start();
        }

        s_workers = workers;
    }

    private sealed class Worker
    {
        // A parked worker still wakes now and then to look at its ticket: were the handshake ever
        // wrong, a lost wake-up would cost this long instead of a hang.
        private const int ParkTimeoutMilliseconds = 100;

        private readonly SemaphoreSlim _wake = new(0);
        private int _ticket;
        private int _sleeping;

        /// <summary>Hands the worker the job the static fields describe; called by the thread holding the gate.</summary>
        public void Start()
        {
            Interlocked.Increment(ref _ticket);
            if (Interlocked.CompareExchange(ref _sleeping, 0, 1) == 1)
            {
                _wake.Release();
            }
        }

        public void Loop(int part)
        {
            t_busy = true;
            int seen = 0;
            while (true)
            {
                seen = AwaitTicket(seen);
                try
                {
                    s_invoke(part, s_parts);
                }
                catch (Exception e)
                {
                    Interlocked.CompareExchange(ref s_error, ExceptionDispatchInfo.Capture(e), null);
                }
                finally
                {
                    Interlocked.Decrement(ref s_pending);
                }
            }
        }

        /// <summary>Returns the next ticket after <paramref name="seen"/>: spins for a while, then parks.</summary>
        private int AwaitTicket(int seen)
        {
            long spinUntil = Stopwatch.GetTimestamp() + Volatile.Read(ref s_spinTicks);
            int spins = 0;
            while (true)
            {
                int ticket = Volatile.Read(ref _ticket);
                if (ticket != seen)
                {
                    return ticket;
                }

                if (Stopwatch.GetTimestamp() < spinUntil)
                {
                    // Yield now and then, so a spinning worker never holds a core another thread wants.
                    if ((++spins & 15) == 0)
                    {
                        Thread.Yield();
                    }
                    else
                    {
                        Thread.SpinWait(20);
                    }

                    continue;
                }

                Interlocked.Exchange(ref _sleeping, 1);
                if (Volatile.Read(ref _ticket) != seen)
                {
                    // A job came while going to park: take the flag back down, or, if the caller
                    // already took it, absorb the release it made.
                    if (Interlocked.CompareExchange(ref _sleeping, 0, 1) != 1)
                    {
                        _wake.Wait();
                    }

                    continue;
                }

                _wake.Wait(ParkTimeoutMilliseconds);
            }
        }
    }

    private static class Slot<T>
        where T : struct
    {
        public static T Value;
    }
}
