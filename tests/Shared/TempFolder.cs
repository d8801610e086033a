using System;
using System.IO;

namespace VaeGen.Testing;

/// <summary>A fresh folder under the system temp folder, deleted (best effort) on dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    /// <param name="prefix">Starts the folder's name, so a folder left behind says which test made it.</param>
    public TempFolder(string prefix = "vaegen-tests-")
    {
        Path = Directory.CreateTempSubdirectory(prefix).FullName;
    }

    public string Path { get; }

    /// <summary>A path inside the folder.</summary>
    public string File(string name) => System.IO.Path.Combine(Path, name);

    public override string ToString() => Path;

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A process the test started may still hold a file (Windows); the temp folder is the OS's to clean.
        }
    }
}
