using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using VaeGen.Testing;
using Xunit;

namespace VaeGen.Tool.Tests;

/// <summary>SIGINT and SIGTERM during training stop it between two steps, keep the last checkpoint and say how to resume.</summary>
public sealed class SignalTests
{
    [Theory]
    [InlineData("INT", 130)]
    [InlineData("TERM", 143)]
    public async Task ASignalAbandonsTheEpochKeepsTheCheckpointAndSaysHowToResume(string signal, int exitCode)
    {
        using var temp = new TempFolder();
        string run = temp.File("run");
        string spec = ToolProcess.Spec("fashion_mlp.vae.yaml");

        // Epochs of many small steps, so the signal lands inside one.
        ProcessStartInfo start = WithDefaultSignals(ToolProcess.Start(ToolProcess.Root, "train", spec, "--data", ToolProcess.FashionMnist, "--limit-train", "1000",
            "--limit-test", "64", "--batch", "8", "--epochs", "2", "--out", run));
        start.UseShellExecute = false;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.StandardOutputEncoding = Encoding.UTF8;
        start.StandardErrorEncoding = Encoding.UTF8;
        using var process = Process.Start(start)!;
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        var stdout = new StringBuilder();
        string? line;
        while ((line = process.StandardOutput.ReadLine()) is not null)
        {
            stdout.AppendLine(line);
            if (line.StartsWith("epoch 1/2", StringComparison.Ordinal))
            {
                using var kill = Process.Start("kill", ["-" + signal, process.Id.ToString(CultureInfo.InvariantCulture)]);
                kill.WaitForExit();
                break;
            }
        }

        stdout.Append(process.StandardOutput.ReadToEnd());
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(2)), "the run did not stop");
        string error = await stderr;

        Assert.True(process.ExitCode == exitCode, "exit " + process.ExitCode + "\n" + stdout + "\n" + error);
        Match stopped = Regex.Match(error, "^vaegen: stopped by SIG" + signal + @" during epoch (2), which is abandoned; the run stands at epoch (1) \(its checkpoint in " +
                                            Regex.Escape(run) + @"\); continue it with: vaegen train " + Regex.Escape(spec) + " --resume --epochs 2 --out " + Regex.Escape(run) + "\n$");
        Assert.True(stopped.Success, error);
        Assert.Equal(int.Parse(stopped.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(stopped.Groups[2].Value, CultureInfo.InvariantCulture) + 1);
        Assert.Empty(Directory.GetFiles(run, "*.tmp"));

        // The command it gives continues the run to the end.
        ProcessResult resumed = ToolProcess.Run("train", spec, "--resume", "--epochs", "2", "--out", run);
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Contains("epochs 2..2", resumed.Out);
        Assert.Contains("final test negative ELBO", resumed.Out);
    }

    /// <summary>
    /// The tool's process with SIGINT and SIGTERM at their default dispositions. A shell without job control makes a job
    /// it starts in the background ignore SIGINT, and an ignored signal stays ignored across fork and exec: run so
    /// (as CI may run the tests), the tool would never see this test's SIGINT, as it would not see a user's Ctrl+C
    /// either. coreutils' env resets both before it execs the tool, in the same process.
    /// </summary>
    private static ProcessStartInfo WithDefaultSignals(ProcessStartInfo tool)
    {
        var start = new ProcessStartInfo("env") { WorkingDirectory = tool.WorkingDirectory };
        start.ArgumentList.Add("--default-signal=INT,TERM");
        start.ArgumentList.Add(tool.FileName);
        foreach (string argument in tool.ArgumentList)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment.Clear();
        foreach ((string name, string? value) in tool.Environment)
        {
            start.Environment[name] = value;
        }

        return start;
    }
}
