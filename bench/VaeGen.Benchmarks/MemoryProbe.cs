using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using TorchSharp;
using VaeGen.Runtime.Models;
using VaeGen.Runtime.Tensors;

namespace VaeGen.Benchmarks;

/// <summary>
/// Peak memory of training, measured the same way for both backends: in a fresh process, the growth of the peak
/// resident set (Linux's VmHWM) from just before the model is created to the end of <see cref="Steps"/> training steps
/// on the benchmark batch. It covers everything a step holds: parameters, gradients, Adam's moments, activations,
/// workspaces, and whatever the allocator keeps.
/// </summary>
/// <remarks>
/// A fresh process per measurement, because a runtime that has freed a model keeps its pages and the next model
/// would grow into them unseen.
/// </remarks>
internal static class MemoryProbe
{
    private const int Steps = 20;

    /// <summary>The parent side: runs a child per backend and reads its one line of output.</summary>
    public static (double? ManagedMiB, double? TorchSharpMiB) Measure(BenchmarkCase c, bool torchSharp)
    {
        double? managed = RunChild(c.Name, "managed");
        double? ts = torchSharp ? RunChild(c.Name, "torchsharp") : null;
        return (managed, ts);
    }

    /// <summary>The child side (<c>--memory-child NAME BACKEND</c>): prints the peak RSS growth in bytes.</summary>
    public static int RunInChild(string name, string backend)
    {
        BenchmarkCase c = BenchmarkCase.All.Single(b => b.Name == name);
        if (backend == "torchsharp")
        {
            int[] shape = c.Create().Config.BatchShape(c.Batch);

            // Load libtorch and its thread pools before the baseline: they are not the model's.
            torch.set_num_threads(1);
            using (var warm = torch.ones(8, 8))
            {
                using var product = warm.matmul(warm);
            }

            long baseline = ResetPeak();
            using var run = new TorchSharpThroughput.TrainingRun(c, shape);
            for (int i = 0; i < Steps; i++)
            {
                run.Step();
            }

            Console.WriteLine((PeakRss() - baseline).ToString(CultureInfo.InvariantCulture));
        }
        else
        {
            // Nothing of the model exists before the baseline, not even a throwaway one whose freed pages it could reuse.
            long baseline = ResetPeak();
            VaeModel model = c.Create();
            Tensor x = ManagedThroughput.RandomBatch(model.Config, c);
            for (int i = 0; i < Steps; i++)
            {
                model.TrainStep(x);
            }

            Console.WriteLine((PeakRss() - baseline).ToString(CultureInfo.InvariantCulture));
        }

        return 0;
    }

    private static double? RunChild(string name, string backend)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // Run as `dotnet VaeGen.Benchmarks.dll` the process is the dotnet host, which needs the assembly; run as the
        // apphost (what `dotnet run` starts) it is the program itself, and an extra first argument would be a usage error.
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet")
        {
            start.ArgumentList.Add(typeof(MemoryProbe).Assembly.Location);
        }

        start.ArgumentList.Add("--memory-child");
        start.ArgumentList.Add(name);
        start.ArgumentList.Add(backend);
        using Process process = Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd();
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0 || !long.TryParse(output.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out long bytes))
        {
            Console.Error.WriteLine($"{name} {backend}: memory probe failed ({process.ExitCode}): {error.Trim()}");
            return null;
        }

        return bytes / (1024.0 * 1024.0);
    }

    /// <summary>Resets the kernel's peak-RSS mark to the current RSS (writing 5 to clear_refs) and returns it.</summary>
    private static long ResetPeak()
    {
        File.WriteAllText("/proc/self/clear_refs", "5");
        return Status("VmRSS:");
    }

    private static long PeakRss() => Status("VmHWM:");

    private static long Status(string key)
    {
        string line = File.ReadLines("/proc/self/status").First(l => l.StartsWith(key, StringComparison.Ordinal));
        return long.Parse(line.AsSpan(key.Length).Trim().TrimEnd("kB").Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture) * 1024;
    }
}
