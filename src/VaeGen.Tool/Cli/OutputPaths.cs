using System;
using System.IO;

namespace VaeGen.Tool.Cli;

/// <summary>
/// Checks output locations before any work, so an unwritable folder fails in a second rather than
/// after an hour of training, and says which path is the problem.
/// </summary>
internal static class OutputPaths
{
    /// <summary>Creates the folder if needed and makes sure files can be created in it.</summary>
    public static void PrepareFolder(string directory)
    {
        if (File.Exists(directory))
        {
            throw new ToolException(directory + ": is a file; the output must be a folder");
        }

        try
        {
            Directory.CreateDirectory(directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ToolException(directory + ": cannot create the output folder (" + e.Message.TrimEnd('.') + ")", e);
        }

        string probe = Path.Combine(directory, ".vaegen-write-test-" + Guid.NewGuid().ToString("N"));
        try
        {
            using (File.Create(probe))
            {
            }

            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ToolException(directory + ": the output folder is not writable (" + e.Message.TrimEnd('.') + ")", e);
        }
    }

    /// <summary>Makes sure <paramref name="path"/> can be written as a file: its folder exists (or is created) and is writable, and it is not a folder itself.</summary>
    public static void PrepareFile(string path)
    {
        if (Directory.Exists(path))
        {
            throw new ToolException(path + ": is a folder; give a file name for the output");
        }

        string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null)
        {
            PrepareFolder(folder);
        }
    }
}
