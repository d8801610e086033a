using System;
using System.IO;
using VaeGen.Testing;
using Xunit;

namespace VaeGen.Tool.Tests;

/// <summary>The PyTorch comparisons skip with the reason and the install command where PyTorch is missing, and fail under CI.</summary>
public sealed class PyTorchSkipTests
{
    [Fact]
    public void AMissingPythonIsASkipWithTheInstallCommandUnlessRequired()
    {
        string missing = PyTorch.Probe("/nonexistent/python3")!;
        Assert.Equal("/nonexistent/python3 does not exist", missing);

        string reason = PyTorch.SkipReasonFor(missing, required: false)!;
        Assert.StartsWith("PyTorch is not available (/nonexistent/python3 does not exist). ", reason);
        Assert.Contains("apt-get install -y python3-torch python3-yaml python3-onnx libopenblas0-pthread", reason);
        Assert.Null(PyTorch.SkipReasonFor(missing, required: true));
    }

    [Fact]
    public void APythonWithoutTorchIsNamed()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // The reference scripts run under Debian's /usr/bin/python3 only.
        }

        using var temp = new TempFolder();
        string python = temp.File("python3");
        File.WriteAllText(python, "#!/bin/sh\necho \"ModuleNotFoundError: No module named 'torch'\" >&2\nexit 1\n");
        File.SetUnixFileMode(python, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.UserWrite);

        Assert.Equal("ModuleNotFoundError: No module named 'torch'", PyTorch.Probe(python));
    }

    [Fact]
    public void CiRequiresPyTorch()
    {
        Assert.Contains("export " + PyTorch.RequireVariable + "=1", File.ReadAllText(Repository.Path(".ci", "run")));
    }
}
