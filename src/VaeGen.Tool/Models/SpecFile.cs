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
            bytes = File.ReadAllBytes(path);
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

    public static string Plural(long count, string noun) =>
        count.ToString("N0", System.Globalization.CultureInfo.InvariantCulture) + " " + noun + (count == 1 ? string.Empty : "s");
}
