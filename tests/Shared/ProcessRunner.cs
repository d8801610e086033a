using System;
using System.Diagnostics;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using Xunit.Abstractions;

namespace VaeGen.Testing;

/// <summary>What one finished process printed and returned.</summary>
/// <param name="Command">The command line, for messages.</param>
/// <param name="ExitCode">The process's exit code.</param>
/// <param name="Out">Everything it wrote to stdout, exactly.</param>
/// <param name="Error">Everything it wrote to stderr, exactly.</param>
internal sealed record ProcessResult(string Command, int ExitCode, string Out, string Error)
{
    /// <summary>stdout then stderr: what a build's errors are searched in.</summary>
    public string Output => Out + Error;

    public override string ToString() => "$ " + Command + " (exit " + ExitCode + ")\n--- stdout\n" + Out + "\n--- stderr\n" + Error;
}

/// <summary>Runs a real process to its end with stdout and stderr captured (so no terminal: plain output) and a time limit.</summary>
internal static class ProcessRunner
{
    /// <summary>
    /// Starts <paramref name="start"/> (its redirection and encoding are set here), waits at most
    /// <paramref name="timeout"/> and returns what it printed; a process that outlives the timeout is
    /// killed with its children and the call throws <see cref="TimeoutException"/>. With a
    /// <paramref name="log"/>, the command and its output go to the test's output.
    /// </summary>
    public static ProcessResult Run(ProcessStartInfo start, TimeSpan timeout, ITestOutputHelper? log = null)
    {
        start.UseShellExecute = false;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.StandardOutputEncoding = Encoding.UTF8;
        start.StandardErrorEncoding = Encoding.UTF8;
        string command = string.Join(' ', new[] { start.FileName }.Concat(start.ArgumentList));

        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start " + command);
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException(command + " did not finish in " + timeout);
        }

        var result = new ProcessResult(command, process.ExitCode, stdout.Result, stderr.Result);
        log?.WriteLine(result.ToString());
        return result;
    }

    /// <summary>A start for <paramref name="program"/> in <paramref name="workingDirectory"/> with each argument passed as is (no quoting).</summary>
    public static ProcessStartInfo Start(string program, string workingDirectory, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { WorkingDirectory = workingDirectory };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return start;
    }
}
