using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using VaeGen.Benchmarks;
using VaeGen.Runtime.Benchmarking;
using VaeGen.Spec.Checking;
using VaeGen.Spec.Shapes;

// Usage: dotnet run -c Release --project bench/VaeGen.Benchmarks -- [--seconds 3] [--spec NAME]... [--no-torchsharp] [--no-pytorch] [--no-memory] [--profile]
double seconds = 3;
var only = new List<string>();
bool pytorch = true;
bool torchSharp = true;
bool profile = false;
bool memory = true;
if (args.Length == 3 && args[0] == "--memory-child")
{
    return MemoryProbe.RunInChild(args[1], args[2]);
}

for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--seconds" when i + 1 < args.Length && double.TryParse(args[i + 1], NumberStyles.Float, CultureInfo.InvariantCulture, out double s) && s > 0:
            seconds = s;
            i++;
            break;
        case "--spec" when i + 1 < args.Length:
            only.Add(args[++i]);
            break;
        case "--no-pytorch":
            pytorch = false;
            break;
        case "--profile":
            profile = true;
            break;
        case "--no-memory":
            memory = false;
            break;
        case "--no-torchsharp":
            torchSharp = false;
            break;
        default:
            Console.Error.WriteLine("usage: VaeGen.Benchmarks [--seconds S] [--spec NAME]... [--no-torchsharp] [--no-pytorch] [--no-memory] [--profile]");
            return 2;
    }
}

string root = FindRepositoryRoot();
var cases = BenchmarkCase.All.Where(c => only.Count == 0 || only.Contains(c.Name)).ToArray();
if (cases.Length == 0)
{
    Console.Error.WriteLine("no benchmark named " + string.Join(", ", only) + "; known: " + string.Join(", ", BenchmarkCase.All.Select(c => c.Name)));
    return 2;
}

if (profile)
{
    foreach (BenchmarkCase c in cases)
    {
        LayerProfile.Print(c, seconds);
    }

    return 0;
}

Console.WriteLine($"# {Environment.ProcessorCount} cores, AVX-512 {(Avx512F.IsSupported ? "yes" : "no")}, .NET {Environment.Version}, {seconds} s per measurement, best of {Throughput.Windows} windows after {Throughput.WarmupSteps} warm-up steps{(torchSharp ? "; managed and TorchSharp windows interleaved" : "")}");
// The peak is measured before the specs and again after them, and the better of the two is the ceiling: a busy stretch
// of the shared machine during one measurement would otherwise lower it and inflate every percentage below.
(double OneThread, double TwoThreads) MeasurePeak()
{
    double one = SgemmPeak.Measure(1, seconds);
    return (one, Environment.ProcessorCount > 1 ? SgemmPeak.Measure(2, seconds) : one);
}

var peakBefore = MeasurePeak();
Console.WriteLine();
Console.WriteLine("| spec | batch | managed train/s | TorchSharp train/s | PyTorch train/s | managed / TorchSharp | managed infer/s | TorchSharp infer/s | PyTorch infer/s | managed / TorchSharp |");
Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
// A spec's training and inference windows, the managed and TorchSharp contenders' taking turns so that a slow stretch of
// the shared machine hits both columns. libtorch once failed inside a TorchSharp training step (an exception from
// c10::Scalar::toFloat under THSTensor_add, in the twenty-third run on the Zen 5 VM; docs/performance.md) and took the
// whole run with it: the spec is measured again, and if TorchSharp fails a second time its cells say so and the run goes
// on with the managed figures alone.
(ThroughputResult[] Train, ThroughputResult[] Infer, bool TorchSharpFailed) MeasureSpec(BenchmarkCase c)
{
    for (int attempt = 1; torchSharp; attempt++)
    {
        try
        {
            using var ts = new TorchSharpThroughput(c, c.Create().Config.BatchShape(c.Batch));
            return (
                Throughput.MeasureInterleaved([ManagedThroughput.Train(c), .. ts.TrainingContenders(c.Batch)], seconds),
                Throughput.MeasureInterleaved([ManagedThroughput.Infer(c), .. ts.InferenceContenders(c.Batch)], seconds),
                false);
        }
        catch (ExternalException e)
        {
            Console.Error.WriteLine($"{c.Name}: TorchSharp failed ({e.Message.Split('\n')[0].Trim()}){(attempt == 1 ? "; measuring the spec again" : "; its cells say failed")}");
            if (attempt == 2)
            {
                return (Throughput.MeasureInterleaved([ManagedThroughput.Train(c)], seconds), Throughput.MeasureInterleaved([ManagedThroughput.Infer(c)], seconds), true);
            }
        }
    }

    return (Throughput.MeasureInterleaved([ManagedThroughput.Train(c)], seconds), Throughput.MeasureInterleaved([ManagedThroughput.Infer(c)], seconds), false);
}

var efficiency = new List<(string Name, ModelCost Cost, double TrainFlops, double InferFlops, string MemoryCells)>();
foreach (BenchmarkCase c in cases)
{
    var (trainResults, inferResults, torchSharpFailed) = MeasureSpec(c);
    double train = trainResults[0].SamplesPerSecond, infer = inferResults[0].SamplesPerSecond;
    string tsTrain = "n/a", tsInfer = "n/a", trainRatio = "n/a", inferRatio = "n/a", torchTrain = "n/a", torchInfer = "n/a";
    if (torchSharpFailed)
    {
        (tsTrain, tsInfer, trainRatio, inferRatio) = ("failed", "failed", "n/a", "n/a");
    }
    else if (torchSharp)
    {
        var (tsTrainRate, tsTrainThreads) = TorchSharpThroughput.Best(trainResults.AsSpan(1));
        var (tsInferRate, tsInferThreads) = TorchSharpThroughput.Best(inferResults.AsSpan(1));
        tsTrain = $"{tsTrainRate:N0} ({tsTrainThreads}t)";
        tsInfer = $"{tsInferRate:N0} ({tsInferThreads}t)";
        trainRatio = $"{train / tsTrainRate:F2}x";
        inferRatio = $"{infer / tsInferRate:F2}x";
    }

    if (pytorch)
    {
        var torch = PyTorchThroughput.Measure(root, c, seconds, out string? error);
        if (torch is null)
        {
            Console.Error.WriteLine(c.Name + ": " + error);
        }
        else
        {
            torchTrain = $"{torch.Train:N0} ({torch.TrainThreads}t)";
            torchInfer = $"{torch.Infer:N0} ({torch.InferThreads}t)";
        }
    }

    Console.WriteLine($"| {c.Name} | {c.Batch} | {train:N0} | {tsTrain} | {torchTrain} | {trainRatio} | {infer:N0} | {tsInfer} | {torchInfer} | {inferRatio} |");

    ModelCost cost = ModelCost.Of(SpecChecker.Check(c.SpecPath(root), File.ReadAllText(c.SpecPath(root))).Plan!);
    double trainFlops = train * cost.TrainingFlops, inferFlops = infer * cost.ForwardFlops;
    string memoryCells = "n/a | n/a";
    if (memory)
    {
        var (managedMiB, torchSharpMiB) = MemoryProbe.Measure(c, torchSharp);
        memoryCells = $"{Cell(managedMiB)} | {Cell(torchSharpMiB)}";
    }

    efficiency.Add((c.Name, cost, trainFlops, inferFlops, memoryCells));
}

var peakAfter = MeasurePeak();
double peak1 = Math.Max(peakBefore.OneThread, peakAfter.OneThread), peak2 = Math.Max(peakBefore.TwoThreads, peakAfter.TwoThreads);
Console.WriteLine();
Console.WriteLine(
    $"# SGEMM peak ({SgemmPeak.Size}^3, VaeGen's kernel), the better of before and after the specs: {peak1 / 1e9:F1} GFLOP/s on 1 thread, {peak2 / 1e9:F1} GFLOP/s on 2 " +
    $"(before {peakBefore.OneThread / 1e9:F1} and {peakBefore.TwoThreads / 1e9:F1}, after {peakAfter.OneThread / 1e9:F1} and {peakAfter.TwoThreads / 1e9:F1})");
Console.WriteLine();
Console.WriteLine("| spec | train MFLOP/sample | managed train GFLOP/s (of 2-thread peak) | infer MFLOP/sample | managed infer GFLOP/s (of peak) | peak train MiB, managed | peak train MiB, TorchSharp (1t) |");
Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
foreach (var (name, cost, trainFlops, inferFlops, memoryCells) in efficiency)
{
    Console.WriteLine($"| {name} | {cost.TrainingFlops / 1e6:F2} | {trainFlops / 1e9:F1} ({trainFlops / peak2:P0}) | {cost.ForwardFlops / 1e6:F2} | {inferFlops / 1e9:F1} ({inferFlops / peak2:P0}) | {memoryCells} |");
}

return 0;

static string FindRepositoryRoot()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "VaeGen.sln")))
        {
            return dir.FullName;
        }
    }

    return Directory.GetCurrentDirectory();
}

// A measured MiB figure, or n/a when its probe failed (the reason is on stderr).
static string Cell(double? mib) => mib is double m ? m.ToString("F1", CultureInfo.InvariantCulture) : "n/a";
