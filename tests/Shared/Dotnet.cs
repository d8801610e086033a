using System;
using System.Diagnostics;
using Xunit;
using Xunit.Abstractions;

namespace VaeGen.Testing;

/// <summary>The real <c>dotnet</c> CLI (build, pack, run, new, tool, or an app's dll) as a test process.</summary>
internal static class Dotnet
{
    /// <summary>Long enough for a cold restore and build on a busy 2-core machine; only a hang reaches it.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(5);

    /// <summary>
    /// A start for <c>dotnet</c> with the arguments, quiet (no logo, no telemetry) and with no MSBuild
    /// node left running after it, which would hold files and CPU on a shared machine.
    /// </summary>
    public static ProcessStartInfo Start(string workingDirectory, params string[] arguments)
    {
        ProcessStartInfo start = ProcessRunner.Start("dotnet", workingDirectory, arguments);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        return start;
    }

    /// <summary>Runs <c>dotnet</c> with the arguments in <paramref name="workingDirectory"/>; the exit code is the caller's to judge.</summary>
    public static ProcessResult Run(string workingDirectory, ITestOutputHelper? log, params string[] arguments) =>
        ProcessRunner.Run(Start(workingDirectory, arguments), DefaultTimeout, log);

    /// <summary>Runs <c>dotnet</c> like <see cref="Run"/> and fails the test with its output unless it exits with 0.</summary>
    public static ProcessResult Succeed(string workingDirectory, ITestOutputHelper? log, params string[] arguments) =>
        AssertSucceeded(Run(workingDirectory, log, arguments));

    /// <summary>Fails the test with the command's output unless it exited with 0.</summary>
    public static ProcessResult AssertSucceeded(ProcessResult result)
    {
        Assert.True(result.ExitCode == 0, result.ToString());
        return result;
    }
}
