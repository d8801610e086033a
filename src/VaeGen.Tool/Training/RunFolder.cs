using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Text.RegularExpressions;
using System.Threading;

namespace VaeGen.Tool.Training;

/// <summary>
/// Every file a training run writes goes through here: written whole to a temporary file beside its
/// destination, then renamed over it, so a reader (or a resume) sees the old file or the new one.
/// </summary>
/// <remarks>
/// The order of a run's writes is what keeps it consistent after a kill at any instant: the epoch's
/// grids first, then <c>training.safetensors</c>, the one commit point, then what is derived from it
/// (<c>model.safetensors</c>, <c>metrics.json</c>, <c>loss.png</c>), which a resume rewrites.
/// The test hook <see cref="KillAfterVariable"/> makes the process kill itself right after the Nth
/// operation (each temporary file written and each rename counts), which is how the tests kill a run
/// between any two writes.
/// </remarks>
internal static partial class RunFolder
{
    /// <summary>Set to N (tests only): the process kills itself (SIGKILL) right after its Nth file operation.</summary>
    public const string KillAfterVariable = "VAEGEN_TEST_KILL_AFTER_FILE_OPERATIONS";

    private static readonly int KillAfter =
        int.TryParse(Environment.GetEnvironmentVariable(KillAfterVariable), NumberStyles.None, CultureInfo.InvariantCulture, out int n) ? n : 0;

    private static int s_operations;

    /// <summary>Writes <paramref name="path"/> through <paramref name="writeTo"/>, which gets the temporary file's path to fill.</summary>
    public static void Write(string path, Action<string> writeTo)
    {
        string full = Path.GetFullPath(path);
        string temp = Path.Combine(Path.GetDirectoryName(full) ?? ".", "." + Path.GetFileName(full) + "." + Guid.NewGuid().ToString("N") + ".tmp");
        try
        {
            writeTo(temp);
            Operation();
            File.Move(temp, full, overwrite: true);
            Operation();
        }
        catch
        {
            // The write's own error is the one to report; a leftover temporary file is removed by the next run.
            try
            {
                File.Delete(temp);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }

            throw;
        }
    }

    /// <summary>Removes the temporary files a killed run left behind (only names this tool makes); returns how many.</summary>
    public static int DeleteLeftovers(string directory)
    {
        int deleted = 0;
        foreach (string file in Directory.GetFiles(directory, ".*.tmp"))
        {
            if (TemporaryName().IsMatch(Path.GetFileName(file)))
            {
                File.Delete(file);
                deleted++;
            }
        }

        return deleted;
    }

    private static void Operation()
    {
        if (KillAfter > 0 && Interlocked.Increment(ref s_operations) == KillAfter)
        {
            // As hard as kill -9: no finally blocks, no flush, no exit handlers.
            Process.GetCurrentProcess().Kill();
            Thread.Sleep(Timeout.Infinite);
        }
    }

    // ".<file>.<32 hex digits>.tmp", as Write and the runtime's atomic writers name them.
    [GeneratedRegex(@"^\..+\.[0-9a-f]{32}\.tmp$", RegexOptions.CultureInvariant)]
    private static partial Regex TemporaryName();
}
