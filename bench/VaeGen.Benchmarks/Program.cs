using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.Intrinsics.X86;
using VaeGen.Benchmarks;
using VaeGen.Runtime.Benchmarking;

// Usage: dotnet run -c Release --project bench/VaeGen.Benchmarks -- [--seconds 3] [--spec NAME]... [--no-torchsharp] [--no-pytorch]
double seconds = 3;
var only = new List<string>();
bool pytorch = true;
bool torchSharp = true;
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
        case "--no-torchsharp":
            torchSharp = false;
            break;
        default:
            Console.Error.WriteLine("usage: VaeGen.Benchmarks [--seconds S] [--spec NAME]... [--no-torchsharp] [--no-pytorch]");
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

Console.WriteLine($"# {Environment.ProcessorCount} cores, AVX-512 {(Avx512F.IsSupported ? "yes" : "no")}, .NET {Environment.Version}, {seconds} s per measurement, best of {Throughput.Windows} windows after {Throughput.WarmupSteps} warm-up steps");
Console.WriteLine();
Console.WriteLine("| spec | batch | managed train/s | TorchSharp train/s | PyTorch train/s | managed / TorchSharp | managed infer/s | TorchSharp infer/s | PyTorch infer/s | managed / TorchSharp |");
Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
foreach (BenchmarkCase c in cases)
{
    double train = ManagedThroughput.Train(c, seconds);
    double infer = ManagedThroughput.Infer(c, seconds);
    string tsTrain = "n/a", tsInfer = "n/a", trainRatio = "n/a", inferRatio = "n/a", torchTrain = "n/a", torchInfer = "n/a";
    if (torchSharp)
    {
        var ts = TorchSharpThroughput.Measure(c, c.Create().Config.BatchShape(c.Batch), seconds);
        tsTrain = $"{ts.Train:N0} ({ts.TrainThreads}t)";
        tsInfer = $"{ts.Infer:N0} ({ts.InferThreads}t)";
        trainRatio = $"{train / ts.Train:F2}x";
        inferRatio = $"{infer / ts.Infer:F2}x";
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
