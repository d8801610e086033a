using System;
using System.Diagnostics;
using System.IO;
using System.Text.Json;

namespace VaeGen.Benchmarks;

/// <summary>The same measurement in PyTorch: tools/torch/bench.py with 1 and 2 torch threads (OPENBLAS_NUM_THREADS=1), best of both.</summary>
internal static class PyTorchThroughput
{
    public const string Python = "/usr/bin/python3";

    public sealed record Result(double Train, int TrainThreads, double Infer, int InferThreads);

    public static Result? Measure(string repositoryRoot, BenchmarkCase c, double seconds, out string? error)
    {
        error = null;
        var start = new ProcessStartInfo(Python)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in new[]
                 {
                     Path.Combine(repositoryRoot, "tools", "torch", "bench.py"), c.SpecPath(repositoryRoot), "--batch", c.Batch.ToString(System.Globalization.CultureInfo.InvariantCulture),
                     "--seconds", seconds.ToString(System.Globalization.CultureInfo.InvariantCulture), "--threads", "1,2", "--json",
                 })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["OPENBLAS_NUM_THREADS"] = "1";
        try
        {
            using var process = Process.Start(start)!;
            var stderr = process.StandardError.ReadToEndAsync();
            string stdout = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                error = "bench.py exited with " + process.ExitCode + ": " + stderr.Result.Trim();
                return null;
            }

            using var json = JsonDocument.Parse(stdout);
            double train = 0, infer = 0;
            int trainThreads = 0, inferThreads = 0;
            foreach (JsonElement r in json.RootElement.GetProperty("results").EnumerateArray())
            {
                int threads = r.GetProperty("threads").GetInt32();
                double t = r.GetProperty("train_samples_per_s").GetDouble();
                double i = r.GetProperty("infer_samples_per_s").GetDouble();
                if (t > train)
                {
                    (train, trainThreads) = (t, threads);
                }

                if (i > infer)
                {
                    (infer, inferThreads) = (i, threads);
                }
            }

            return new Result(train, trainThreads, infer, inferThreads);
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or JsonException or InvalidOperationException or System.Collections.Generic.KeyNotFoundException)
        {
            error = "could not run " + Python + " tools/torch/bench.py (apt-get install python3-torch python3-yaml python3-onnx libopenblas0-pthread): " + ex.Message;
            return null;
        }
    }
}
