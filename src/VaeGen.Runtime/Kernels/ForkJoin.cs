using System;
using System.Runtime.ExceptionServices;
using System.Threading;

namespace VaeGen.Runtime.Kernels;

/// <summary>
/// A minimal fork-join over persistent worker threads that allocates nothing per call.
/// </summary>
/// <remarks>
/// <see cref="System.Threading.Tasks.Parallel.For(int, int, Action{int})"/> allocated about 1.7 KB
/// on the calling thread per GEMM (measured by SgemmBenchmarks.ParallelPathAllocation), which broke
/// the allocation-free training step for layers large enough to go parallel. Here the caller runs
/// part 0 and wakes one dedicated worker per other part. The body is a struct stored in a
/// per-type static slot and invoked through a function pointer, so nothing is boxed. A caller
/// that finds the pool busy (another thread is using it) runs every part itself; bodies must make
/// parts independent (e.g. fixed ranges of an output), so the result is the same either way.
/// </remarks>
internal static unsafe class ForkJoin
{
    private static readonly object s_gate = new();
    private static SemaphoreSlim[] s_start = Array.Empty<SemaphoreSlim>();
    private static SemaphoreSlim? s_done;
    private static delegate*<int, int, void> s_invoke;
    private static int s_parts;
    private static ExceptionDispatchInfo? s_error;

    [ThreadStatic]
    private static bool t_busy;

    /// <summary>The worker threads available besides the caller.</summary>
    public static int Workers => Math.Max(0, Environment.ProcessorCount - 1);

    /// <summary>Runs body.Run(part, parts) for every part, part 0 on the calling thread, and returns when all have finished.</summary>
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
            int helpers = Math.Min(parts - 1, s_start.Length);
            Slot<T>.Value = body;
            s_invoke = &Invoke<T>;
            s_parts = parts;
            s_error = null;
            for (int w = 0; w < helpers; w++)
            {
                s_start[w].Release();
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
                // One release per helper; SemaphoreSlim, unlike CountdownEvent, allocates nothing lazily when it blocks.
                for (int w = 0; w < helpers; w++)
                {
                    s_done!.Wait();
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
        if (s_done is not null)
        {
            return;
        }

        var start = new SemaphoreSlim[Workers];
        for (int w = 0; w < start.Length; w++)
        {
            var semaphore = new SemaphoreSlim(0);
            int part = w + 1;
            start[w] = semaphore;
            new Thread(() => WorkerLoop(semaphore, part)) { IsBackground = true, Name = $"VaeGen worker {part}" }.Start();
        }

        s_start = start;
        s_done = new SemaphoreSlim(0);
    }

    private static void WorkerLoop(SemaphoreSlim start, int part)
    {
        t_busy = true;
        while (true)
        {
            start.Wait();
            try
            {
                s_invoke(part, s_parts);
            }
            catch (Exception e)
            {
                s_error = ExceptionDispatchInfo.Capture(e);
            }
            finally
            {
                s_done!.Release();
            }
        }
    }

    private static class Slot<T>
        where T : struct
    {
        public static T Value;
    }
}
