using System;
using System.Diagnostics;
using System.IO;
using Xunit;

namespace VaeGen.Managed.Tests;

/// <summary>Runs the PyTorch reference scripts in tools/torch with Debian's PyTorch (/usr/bin/python3; CI installs it).</summary>
internal static class PyTorch
{
    public const string Python = "/usr/bin/python3";

    private const string Install = "This test compares with PyTorch run by " + Python + ": apt-get install -y python3-torch python3-yaml libopenblas0-pthread (CI installs them).";

    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "tools", "torch", "spec_model.py")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("tools/torch not found above " + AppContext.BaseDirectory);
    }

    /// <summary>Runs tools/torch/<paramref name="script"/> with the arguments; fails the test with its stderr if it fails.</summary>
    public static string Run(string script, params string[] arguments)
    {
        if (!File.Exists(Python))
        {
            Assert.Fail(Python + " does not exist. " + Install);
        }

        var start = new ProcessStartInfo(Python)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(RepositoryRoot(), "tools", "torch", script));
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["OPENBLAS_NUM_THREADS"] = "1";
        start.Environment["OMP_NUM_THREADS"] = "1";
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(300_000))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail(script + " did not finish within 300 s");
        }

        string errors = stderr.Result;
        if (errors.Contains("No module named 'torch'", StringComparison.Ordinal) || errors.Contains("No module named 'yaml'", StringComparison.Ordinal))
        {
            Assert.Fail(Install + Environment.NewLine + errors);
        }

        Assert.True(process.ExitCode == 0, script + " exited with " + process.ExitCode + ":" + Environment.NewLine + errors);
        return stdout;
    }
}
