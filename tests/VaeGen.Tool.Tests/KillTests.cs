using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using VaeGen.Runtime.IO;
using VaeGen.Testing;
using Xunit;

namespace VaeGen.Tool.Tests;

/// <summary>
/// A training run killed (SIGKILL, through the tool's test hook) right after any one of its file
/// operations, then started again, ends exactly where an uninterrupted run does: the same weights,
/// checkpoint tensors, losses, grids and plot, and no temporary file left.
/// </summary>
public sealed class KillTests
{
    // Two epochs: the first commit and a resume over a committed epoch are both killed at every write.
    private static string[] Train(string outDir, params string[] more) => Train(outDir, 2, more);

    private static string[] Train(string outDir, int epochs, params string[] more) =>
    [
        "train", ToolProcess.Spec("fashion_mlp.vae.yaml"), "--data", ToolProcess.FashionMnist, "--limit-train", "64", "--limit-test", "16",
        "--batch", "32", "--epochs", epochs.ToString(CultureInfo.InvariantCulture), "--out", outDir, .. more,
    ];

    [Fact]
    public void AKillAfterAnyFileOperationResumesToTheUninterruptedRun()
    {
        using var temp = new TempFolder();
        string straight = temp.File("straight");
        ProcessResult reference = ToolProcess.Run(Train(straight));
        Assert.True(reference.ExitCode == 0, reference.ToString());
        string[] files = Names(straight);

        int killed = 0;
        for (int operation = 1; ; operation++)
        {
            string run = temp.File("killed-after-" + operation.ToString(CultureInfo.InvariantCulture));
            var kill = new Dictionary<string, string> { ["VAEGEN_TEST_KILL_AFTER_FILE_OPERATIONS"] = operation.ToString(CultureInfo.InvariantCulture) };
            ProcessResult first = ToolProcess.RunWith(kill, Train(run));
            if (first.ExitCode == 0)
            {
                break; // The run has fewer operations than this: every one of them has been killed after.
            }

            Assert.True(first.ExitCode == 137, "killed after operation " + operation + ": " + first);
            killed++;

            // What a user does next: resume when there is a checkpoint, else start again.
            bool committed = File.Exists(Path.Combine(run, "training.safetensors"));
            ProcessResult again = ToolProcess.Run(committed ? Train(run, "--resume") : Train(run));
            Assert.True(again.ExitCode == 0, "after a kill after operation " + operation + ": " + again);

            string at = "after a kill after operation " + operation + " and " + (committed ? "--resume" : "a new start") + ": ";
            Assert.True(files.SequenceEqual(Names(run)), at + string.Join(", ", Names(run)));
            foreach (string file in files.Where(f => f.EndsWith(".png", StringComparison.Ordinal) || f == "model.safetensors"))
            {
                Assert.True(File.ReadAllBytes(Path.Combine(straight, file)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(run, file))), at + file + " differs");
            }

            AssertSameTensors(Path.Combine(straight, "training.safetensors"), Path.Combine(run, "training.safetensors"), at);
            Assert.Equal(Losses(straight), Losses(run));
        }

        Assert.True(killed >= 20, "a two-epoch run writes 6 files per epoch, 2 operations each; killed after only " + killed);
    }

    [Fact]
    public void ResumeRewritesWhatIsDerivedFromTheCheckpointAndRemovesLeftovers()
    {
        using var temp = new TempFolder();
        string run = temp.File("run");
        Assert.Equal(0, ToolProcess.Run(Train(run, 1)).ExitCode);
        string weights = Path.Combine(run, "model.safetensors");
        byte[] plot = File.ReadAllBytes(Path.Combine(run, "loss.png")), trained = File.ReadAllBytes(weights);

        // What a kill between the commit and the derived files, and one inside a write, leave behind.
        File.Delete(Path.Combine(run, "loss.png"));
        File.Delete(Path.Combine(run, "samples-epoch-001.png"));
        File.WriteAllText(Path.Combine(run, ".metrics.json.0123456789abcdef0123456789abcdef.tmp"), "{");
        File.WriteAllText(Path.Combine(run, "notes.tmp"), "not ours");
        File.WriteAllBytes(weights, File.ReadAllBytes(weights)); // same tensors...
        SafeTensorsBytesEpoch(weights, "0");                      // ...but a step behind the checkpoint

        ProcessResult eval = ToolProcess.Run("eval", ToolProcess.Spec("fashion_mlp.vae.yaml"), "--weights", weights, "--data", ToolProcess.FashionMnist,
            "--limit-test", "8", "--k", "2");
        Assert.True(eval.ExitCode == 0, eval.ToString());
        Assert.Contains("vaegen: warning: " + weights + " holds epoch 0, but the run's checkpoint beside it is at epoch 1", eval.Error);

        ProcessResult resumed = ToolProcess.Run(Train(run, 1, "--resume"));

        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Contains("already trained for 1 epoch", resumed.Out);
        Assert.Contains("vaegen: " + run + ": removed 1 temporary file an interrupted run left behind", resumed.Error);
        Assert.Contains("vaegen: " + weights + " was from epoch 0; rewritten from the checkpoint (epoch 1)", resumed.Error);
        Assert.Equal(plot, File.ReadAllBytes(Path.Combine(run, "loss.png")));
        Assert.Equal(trained, File.ReadAllBytes(weights));
        Assert.True(File.Exists(Path.Combine(run, "samples-epoch-001.png")));
        Assert.True(File.Exists(Path.Combine(run, "notes.tmp")), "only the tool's own temporary files are removed");
    }

    private static void SafeTensorsBytesEpoch(string path, string epoch)
    {
        var (header, data) = SafeTensorsBytes.Split(File.ReadAllBytes(path));
        header["__metadata__"]!["vaegen.epoch"] = epoch;
        File.WriteAllBytes(path, SafeTensorsBytes.Join(header, data));
    }

    /// <summary>The file names in a run folder, hidden ones (temporary files) included.</summary>
    private static string[] Names(string folder) => Directory.GetFiles(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;

    private static void AssertSameTensors(string expected, string actual, string at)
    {
        SafeTensorsFile a = SafeTensorsFile.Read(expected), b = SafeTensorsFile.Read(actual);
        Assert.Equal(a.Entries.Keys.Order(), b.Entries.Keys.Order());
        foreach (var (name, entry) in a.Entries)
        {
            if (entry.DType == SafeTensorsDType.F32)
            {
                var x = new float[checked((int)entry.ElementCount)];
                var y = new float[checked((int)entry.ElementCount)];
                a.CopyFloat32(name, x);
                b.CopyFloat32(name, y);
                Assert.True(x.AsSpan().SequenceEqual(y), at + "checkpoint tensor " + name + " differs");
            }
            else
            {
                var x = new long[checked((int)entry.ElementCount)];
                var y = new long[checked((int)entry.ElementCount)];
                a.CopyInt64(name, x);
                b.CopyInt64(name, y);
                Assert.True(x.AsSpan().SequenceEqual(y), at + "checkpoint tensor " + name + " differs");
            }
        }
    }

    /// <summary>Every loss in metrics.json (the timings differ between runs, the losses must not).</summary>
    private static List<string> Losses(string run)
    {
        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "metrics.json")));
        var losses = new List<string>();
        foreach (JsonElement epoch in metrics.RootElement.GetProperty("epochs").EnumerateArray())
        {
            foreach (JsonProperty p in epoch.EnumerateObject().Where(p => p.Name is not ("seconds" or "samples_per_second")))
            {
                losses.Add(p.Name + "=" + p.Value.GetRawText());
            }
        }

        return losses;
    }
}
