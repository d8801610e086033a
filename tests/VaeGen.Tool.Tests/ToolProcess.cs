using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using VaeGen.Testing;

namespace VaeGen.Tool.Tests;

/// <summary>Runs the built vaegen.dll as a separate process, as a user would, with stdout and stderr captured (so no terminal: plain output).</summary>
internal static class ToolProcess
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    /// <summary>The repository checkout the tests run in.</summary>
    public static string Root => Repository.Root;

    public static string Spec(string name) => Repository.Path("specs", name);

    /// <summary>The committed Fashion-MNIST subset: tests name it explicitly so they do not depend on what the machine has installed.</summary>
    public static string FashionMnist { get; } = Repository.Path("data", "fashion-mnist");

    public static string Photos { get; } = Repository.Path("data", "photos64");

    public static ProcessResult Run(params string[] args) => RunIn(Root, args);

    public static ProcessResult RunIn(string workingDirectory, params string[] args) =>
        ProcessRunner.Run(Start(workingDirectory, args), Timeout);

    /// <summary>Runs the tool with extra environment variables (test hooks such as the kill after N file operations).</summary>
    public static ProcessResult RunWith(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        ProcessStartInfo start = Start(Root, args);
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        return ProcessRunner.Run(start, Timeout);
    }

    /// <summary>The tool's process, not yet started, for tests that signal or watch it while it runs.</summary>
    public static ProcessStartInfo Start(string workingDirectory, params string[] args) =>
        Dotnet.Start(workingDirectory, [Path.Combine(AppContext.BaseDirectory, "vaegen.dll"), .. args]);
}
