using System;
using System.IO;
using Xunit;

namespace VaeGen.Testing;

/// <summary>
/// Runs the PyTorch reference scripts in tools/torch with Debian's PyTorch (/usr/bin/python3 from
/// python3-torch; CI installs it). A test that needs it is a <see cref="PyTorchFactAttribute"/> or
/// <see cref="PyTorchTheoryAttribute"/>: skipped, saying how to install it, where PyTorch is missing.
/// </summary>
internal static partial class PyTorch
{
    public const string Python = "/usr/bin/python3";

    /// <summary>How to get what the scripts import.</summary>
    public const string Install = "This test compares with PyTorch run by " + Python + ": apt-get install -y python3-torch python3-yaml python3-onnx libopenblas0-pthread (CI installs them).";

    /// <summary>Only a hang reaches it: the slowest script (a parity training run) takes well under a minute.</summary>
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    /// <summary>Runs tools/torch/<paramref name="script"/> with the arguments and returns its stdout; fails the test with its stderr if it fails.</summary>
    public static string Run(string script, params string[] arguments)
    {
        if (!File.Exists(Python))
        {
            Assert.Fail(Python + " does not exist. " + Install);
        }

        var start = ProcessRunner.Start(Python, Environment.CurrentDirectory, [Repository.Path("tools", "torch", script), .. arguments]);

        // One thread each: the reference numbers must not depend on how many cores the machine has,
        // and two cores are shared by the whole test run.
        start.Environment["OPENBLAS_NUM_THREADS"] = "1";
        start.Environment["OMP_NUM_THREADS"] = "1";
        ProcessResult result = ProcessRunner.Run(start, Timeout);
        if (result.Error.Contains("No module named 'torch'", StringComparison.Ordinal) || result.Error.Contains("No module named 'yaml'", StringComparison.Ordinal) || result.Error.Contains("No module named 'onnx'", StringComparison.Ordinal))
        {
            Assert.Fail(Install + Environment.NewLine + result.Error);
        }

        Assert.True(result.ExitCode == 0, result.Command + " exited with " + result.ExitCode + ":" + Environment.NewLine + result.Error);
        return result.Out;
    }
}
