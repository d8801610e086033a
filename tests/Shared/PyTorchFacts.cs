using System;
using System.IO;
using Xunit;

namespace VaeGen.Testing;

/// <summary>
/// A fact that compares with PyTorch. Where PyTorch is absent it is reported as skipped, with the reason
/// and the install command, so <c>dotnet test</c> on a machine without it stays readable; where
/// <see cref="PyTorch.RequireVariable"/> is set (<c>.ci/run</c> sets it, after installing PyTorch) it
/// runs regardless and fails with the same message, so CI can never pass with the comparisons skipped.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class PyTorchFactAttribute : FactAttribute
{
    public PyTorchFactAttribute()
    {
        Skip = PyTorch.SkipReason;
    }
}

/// <summary>A theory that compares with PyTorch; skipped like <see cref="PyTorchFactAttribute"/>.</summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class PyTorchTheoryAttribute : TheoryAttribute
{
    public PyTorchTheoryAttribute()
    {
        Skip = PyTorch.SkipReason;
    }
}

/// <summary>Whether the PyTorch the comparisons run is here: probed once per test run.</summary>
internal static partial class PyTorch
{
    /// <summary>Set to 1 to make the PyTorch comparisons fail, not skip, when PyTorch is missing (CI).</summary>
    public const string RequireVariable = "VAEGEN_REQUIRE_PYTORCH";

    private static readonly Lazy<string?> Missing = new(() => Probe(Python));

    /// <summary>Null when the comparisons can run (or must: CI), else why they are skipped and how to install PyTorch.</summary>
    public static string? SkipReason => SkipReasonFor(Missing.Value, Environment.GetEnvironmentVariable(RequireVariable) == "1");

    /// <param name="missing">What <see cref="Probe"/> found missing, or null.</param>
    /// <param name="required">True under CI, where a missing PyTorch must fail the tests rather than skip them.</param>
    public static string? SkipReasonFor(string? missing, bool required) =>
        required || missing is null ? null : "PyTorch is not available (" + missing + "). " + Install;

    /// <summary>What keeps <paramref name="python"/> from running the reference scripts, or null when nothing does.</summary>
    public static string? Probe(string python)
    {
        if (!File.Exists(python))
        {
            return python + " does not exist";
        }

        var start = ProcessRunner.Start(python, Environment.CurrentDirectory, "-c", "import torch, yaml, onnx");
        ProcessResult result = ProcessRunner.Run(start, TimeSpan.FromMinutes(2));
        return result.ExitCode == 0 ? null : result.Error.Trim().Split('\n')[^1];
    }
}
