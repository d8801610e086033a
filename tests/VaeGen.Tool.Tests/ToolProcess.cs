using System;
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
        ProcessRunner.Run(Dotnet.Start(workingDirectory, [Path.Combine(AppContext.BaseDirectory, "vaegen.dll"), .. args]), Timeout);
}
