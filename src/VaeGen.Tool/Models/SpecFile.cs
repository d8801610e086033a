using System;
using System.IO;
using System.Linq;
using VaeGen.Spec.Checking;
using VaeGen.Spec.Diagnostics;
using VaeGen.Spec.Model;
using VaeGen.Spec.Shapes;
using VaeGen.Tool.Cli;

namespace VaeGen.Tool.Models;

/// <summary>
/// A spec read from disk and checked by the same <see cref="SpecChecker"/> the source generator
/// runs, so the tool accepts exactly the specs a build accepts.
/// </summary>
internal sealed class SpecFile
{
    private SpecFile(string path, ModelPlan plan)
    {
        Path = path;
        Plan = plan;
    }

    /// <summary>The path as the user wrote it, for messages.</summary>
    public string Path { get; }

    public ModelPlan Plan { get; }

    public VaeSpec Spec => Plan.Spec;

    /// <summary>The generated class name, which is also the model name saved in weights files.</summary>
    public string Name => Spec.Name;

    /// <summary>The file name without <c>.vae.yaml</c>, used to name default output folders.</summary>
    public string Stem
    {
        get
        {
            string name = System.IO.Path.GetFileName(Path);
            return name.EndsWith(".vae.yaml", StringComparison.OrdinalIgnoreCase) ? name[..^".vae.yaml".Length]
                : System.IO.Path.GetFileNameWithoutExtension(name);
        }
    }

    /// <summary>Reads and checks a spec; unreadable files and specs with errors become a <see cref="ToolException"/>.</summary>
    /// <param name="path">The spec file.</param>
    /// <param name="console">Where warnings and error diagnostics are printed, in build format.</param>
    public static SpecFile Load(string path, ToolConsole console)
    {
        SpecCheckResult result = Check(path);
        foreach (SpecDiagnostic diagnostic in result.Diagnostics)
        {
            console.Error.WriteLine(diagnostic.Format(path));
        }

        if (result.Plan is null || result.HasErrors)
        {
            int errors = result.Diagnostics.Count(d => d.IsError);
            throw new ToolException(
                path + ": the spec has " + Plural(errors, "error") + " (above); 'vaegen check " + path + "' shows them with the layer table",
                ExitCodes.SpecErrors);
        }

        return new SpecFile(path, result.Plan);
    }

    /// <summary>Checks a file; a file that cannot be read is a <see cref="ToolException"/>, not a diagnostic.</summary>
    public static SpecCheckResult Check(string path)
    {
        byte[] bytes;
        try
        {
            bytes = ReadBounded(path);
        }
        catch (FileNotFoundException)
        {
            throw new ToolException(path + ": spec file not found");
        }
        catch (DirectoryNotFoundException)
        {
            throw new ToolException(path + ": spec file not found (its folder does not exist)");
        }
        catch (UnauthorizedAccessException)
        {
            throw new ToolException(path + ": spec file cannot be read (permission denied, or it is a folder)");
        }
        catch (IOException e)
        {
            throw new ToolException(path + ": spec file cannot be read: " + e.Message, e);
        }

        return SpecChecker.Check(path, bytes);
    }

    /// <summary>The most bytes a spec file may have: the shipped ones have about 1 KB; /dev/zero has no end.</summary>
    public const int MaxBytes = 1 << 20;

    // A FIFO with no writer blocks open() and read() for ever; nothing a spec is read from needs this long.
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Reads at most <see cref="MaxBytes"/> (a larger file, or a device such as /dev/zero, is refused
    /// without reading it all) and gives up after <see cref="ReadTimeout"/> (a FIFO no one writes to).
    /// </summary>
    private static byte[] ReadBounded(string path)
    {
        if (Directory.Exists(path))
        {
            throw new ToolException(path + ": is a folder, not a spec file (give 'vaegen check' a folder to check the specs in it)");
        }

        var read = System.Threading.Tasks.Task.Run(() =>
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
            var buffer = new byte[MaxBytes + 1];
            int total = 0, n;
            while (total < buffer.Length && (n = stream.Read(buffer, total, buffer.Length - total)) > 0)
            {
                total += n;
            }

            return total > MaxBytes ? null : buffer[..total];
        });
        try
        {
            if (!read.Wait(ReadTimeout))
            {
                // The reading thread stays blocked in the FIFO; it is a background thread and ends with the process.
                throw new ToolException(path + ": spec file gave no end of data in " + ReadTimeout.TotalSeconds + " s (a FIFO or device no one writes to?)");
            }
        }
        catch (AggregateException e) when (e.InnerException is { } inner)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(inner);
        }

        return read.Result ?? throw new ToolException(path + ": spec file is larger than " + (MaxBytes >> 10) + " KiB; a spec is a short YAML file");
    }

    public static string Plural(long count, string noun) =>
        count.ToString("N0", System.Globalization.CultureInfo.InvariantCulture) + " " + noun + (count == 1 ? string.Empty : "s");
}
