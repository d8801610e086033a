using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using VaeGen.Testing;

namespace VaeGen.Editor.Tests;

/// <summary>
/// A console app as a user has it: VaeGen from a local folder of packages packed from this build
/// (restored into a private NUGET_PACKAGES, so no cached VaeGen stands in), one good and one broken spec,
/// and a Program.cs that uses both classes. Shared by the tests of a class; built once.
/// </summary>
public sealed class ConsumerApp : IDisposable
{
    /// <summary>The spec with a shape error: unflatten's [1, 28, 27] is 756 elements, the linear before it gives 784.</summary>
    public const string BrokenSpec =
        "name: BrokenVae\n" +
        "namespace: App.Specs\n" +
        "input:\n" +
        "  shape: [28, 28, 1]\n" +
        "  layout: nhwc\n" +
        "latent: 2\n" +
        "encoder:\n" +
        "  - flatten\n" +
        "  - linear: { out: 32, activation: relu }\n" +
        "decoder:\n" +
        "  - linear: { out: 784 }\n" +
        "  - unflatten: [1, 28, 27]\n" +
        "  - sigmoid\n";

    /// <summary>0-based line and column of the broken unflatten's shape, where VAE2008 points.</summary>
    public const int BrokenLine = 11, BrokenColumn = 15;

    public static readonly string GoodSpec = BrokenSpec.Replace("BrokenVae", "GoodVae").Replace("[1, 28, 27]", "[1, 28, 28]");

    /// <summary>Line 2 uses the good class, line 3 the broken one (0-based).</summary>
    public const string Program =
        "using App.Specs;\n" +
        "\n" +
        "System.Console.WriteLine(GoodVae.LatentDim);\n" +
        "System.Console.WriteLine(BrokenVae.LatentDim);\n";

    public const int GoodUseLine = 2, BrokenUseLine = 3;

    /// <summary>Where LatentDim starts on <see cref="GoodUseLine"/>.</summary>
    public static readonly int GoodLatentDimColumn = "System.Console.WriteLine(GoodVae.".Length;

    private readonly string _root = Directory.CreateTempSubdirectory("vaegen-editor-").FullName;
    private readonly StringBuilder _log = new();

    public ConsumerApp()
    {
        string feed = Path.Combine(_root, "feed");
        foreach (var project in new[] { "packaging/VaeGen/VaeGen.csproj", "src/VaeGen.Runtime/VaeGen.Runtime.csproj" })
        {
            // The nuspec goes to a folder of our own: the packaging tests may pack the same projects at the same time.
            Run(EditorTools.RepoRoot, "pack", project, "--no-build", "--configuration", Configuration(), "--output", feed, "-p:NuspecOutputPath=" + Path.Combine(_root, "nuspec") + "/");
        }

        string version = Directory.EnumerateFiles(feed, "VaeGen.*.nupkg").Select(Path.GetFileName)
            .Select(name => Regex.Match(name!, @"^VaeGen\.(\d+\.\d+\.\d+.*)\.nupkg$")).Single(m => m.Success).Groups[1].Value;

        Directory.CreateDirectory(Folder);
        File.WriteAllText(Path.Combine(_root, "NuGet.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="local" value="{feed}" />
              </packageSources>
            </configuration>
            """);
        File.WriteAllText(Project, $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="VaeGen" Version="{version}" />
              </ItemGroup>
            </Project>
            """);
        Directory.CreateDirectory(Path.Combine(Folder, "specs"));
        File.WriteAllText(GoodSpecPath, GoodSpec);
        File.WriteAllText(BrokenSpecPath, BrokenSpec);
        File.WriteAllText(ProgramPath, Program);
        Run(Folder, "restore");
        // MSBuild's file log has each diagnostic once (the dotnet CLI's console repeats every error).
        var build = Dotnet(Folder, "build", "-v:q", "-clp:NoSummary", "-p:UseSharedCompilation=false", "-fileLogger", "-fileLoggerParameters:LogFile=build.log;Verbosity=minimal;NoSummary");
        (BuildExitCode, BuildOutput) = (build.ExitCode, File.ReadAllText(Path.Combine(Folder, "build.log")));
    }

    public string Folder => Path.Combine(_root, "App");

    public string Project => Path.Combine(Folder, "App.csproj");

    public string ProgramPath => Path.Combine(Folder, "Program.cs");

    public string GoodSpecPath => Path.Combine(Folder, "specs", "good.vae.yaml");

    public string BrokenSpecPath => Path.Combine(Folder, "specs", "broken.vae.yaml");

    public int BuildExitCode { get; }

    /// <summary>The build's MSBuild file log (minimal, no summary): one line per diagnostic.</summary>
    public string BuildOutput { get; }

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>The environment every process of this app gets: the private package cache, no MSBuild node left behind.</summary>
    public Dictionary<string, string> Environment => new()
    {
        ["NUGET_PACKAGES"] = Path.Combine(_root, "packages"),
        ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
        ["DOTNET_NOLOGO"] = "1",
        ["MSBUILDDISABLENODEREUSE"] = "1",
        ["DOTNET_CLI_UI_LANGUAGE"] = "en",
    };

    private static string Configuration() => AppContext.BaseDirectory.Replace('\\', '/').Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";

    private void Run(string folder, params string[] arguments)
    {
        var result = Dotnet(folder, arguments);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException(result.ToString());
        }
    }

    private ProcessResult Dotnet(string folder, params string[] arguments)
    {
        var start = VaeGen.Testing.Dotnet.Start(folder, arguments);
        foreach (var (key, value) in Environment)
        {
            start.Environment[key] = value;
        }

        var result = ProcessRunner.Run(start, VaeGen.Testing.Dotnet.DefaultTimeout);
        lock (_log)
        {
            _log.AppendLine(result.ToString());
        }

        return result;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
