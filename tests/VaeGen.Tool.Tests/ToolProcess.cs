using System;
using System.Diagnostics;
using System.IO;
using System.Text;
using System.Threading.Tasks;
using VaeGen.Runtime.Data;

namespace VaeGen.Tool.Tests;

/// <summary>What one run of the tool printed and returned.</summary>
internal sealed record ToolResult(int ExitCode, string Out, string Error)
{
    public override string ToString() => "exit " + ExitCode + "\n--- stdout\n" + Out + "\n--- stderr\n" + Error;
}

/// <summary>Runs the built vaegen.dll as a separate process, as a user would, with stdout and stderr captured (so no terminal: plain output).</summary>
internal static class ToolProcess
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    /// <summary>The repository checkout the tests run in.</summary>
    public static string Root { get; } = RepositoryData.FindRoot() ?? throw new InvalidOperationException("The tests must run inside a VaeGen checkout.");

    public static string Spec(string name) => Path.Combine(Root, "specs", name);

    /// <summary>The committed Fashion-MNIST subset: tests name it explicitly so they do not depend on what the machine has installed.</summary>
    public static string FashionMnist { get; } = Path.Combine(Root, "data", "fashion-mnist");

    public static string Photos { get; } = Path.Combine(Root, "data", "photos64");

    public static ToolResult Run(params string[] args) => RunIn(Root, args);

    public static ToolResult RunIn(string workingDirectory, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "vaegen.dll"));
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start dotnet.");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("vaegen " + string.Join(' ', args) + " did not finish in " + Timeout);
        }

        return new ToolResult(process.ExitCode, stdout.Result, stderr.Result);
    }
}

/// <summary>A fresh folder under the system temp folder, deleted afterwards.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "vaegen-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
