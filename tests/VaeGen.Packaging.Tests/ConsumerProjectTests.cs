using System;
using System.Diagnostics;
using System.IO;
using System.IO.Compression;
using System.Linq;
using VaeGen.Testing;
using Xunit;
using Xunit.Abstractions;

namespace VaeGen.Packaging.Tests;

/// <summary>
/// A new console project gets VaeGen from a local package folder exactly as README.md's "Use it in your
/// project" says, and builds, runs, fails on a broken spec and picks up an edited one. The packages
/// come from this build (dotnet pack --no-build) and restore into a private package cache, so a stale
/// cached VaeGen can never stand in for the one under test; and a local pack is versioned 0.1.0-local.&lt;time
/// of its newest source&gt;, so that outside the test, too, a new pack is never hidden by a cached one.
/// </summary>
public sealed class ConsumerProjectTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempFolder _temp = new("vaegen-consumer-");

    private string Scratch => _temp.Path;

    private string Feed => Path.Combine(Scratch, "feed");

    private string App => Path.Combine(Scratch, "App");

    [Fact]
    public void Add_package_drop_in_a_spec_build_and_train()
    {
        Pack("packaging/VaeGen/VaeGen.csproj");
        Pack("src/VaeGen.Runtime/VaeGen.Runtime.csproj");
        File.WriteAllText(Path.Combine(Scratch, "NuGet.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="local" value="{Feed}" />
              </packageSources>
            </configuration>
            """);

        // README: dotnet new console; dotnet add package VaeGen; put the spec in specs/; dotnet build.
        Run(Scratch, "new", "console", "--output", "App", "--framework", "net10.0");
        Run(App, "add", "package", "VaeGen", "--prerelease");

        // The local pack has a version of its own, so no VaeGen cached from an earlier pack can stand in for it.
        string packed = PackedVersion("VaeGen");
        Assert.Matches(@"^" + System.Text.RegularExpressions.Regex.Escape(Prefix()) + @"-local\.[0-9]{14}$", packed);
        Assert.Equal(packed, PackedVersion("VaeGen.Runtime"));
        Assert.Contains("<PackageReference Include=\"VaeGen\" Version=\"" + packed + "\" />", File.ReadAllText(Path.Combine(App, "App.csproj")));
        Directory.CreateDirectory(Path.Combine(App, "specs"));
        string spec = File.ReadAllText(Repository.Path("specs", "fashion_mlp.vae.yaml"));
        File.WriteAllText(Path.Combine(App, "specs", "fashion_mlp.vae.yaml"), spec);
        File.WriteAllText(Path.Combine(App, "Program.cs"), ReadmeProgram());

        string trained = Run(App, "run");
        double[] losses = trained.Split('\n').Where(l => l.StartsWith("step ", StringComparison.Ordinal))
            .Select(l => double.Parse(l[(l.IndexOf("loss ", StringComparison.Ordinal) + 5)..], System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(5, losses.Length);
        Assert.True(losses.Zip(losses.Skip(1)).All(pair => pair.Second < pair.First), "the loss should fall at every print: " + string.Join(", ", losses));
        Assert.Contains("latent 20", trained);

        // The package carries the editors' JSON Schema and names it in an MSBuild property.
        string schemaPath = Run(App, "msbuild", "-getProperty:VaeGenSchemaPath").Trim();
        Assert.Equal(File.ReadAllText(Repository.Path("schema", "vae.schema.json")), File.ReadAllText(schemaPath));

        // Listing the spec yourself as well does not make it a duplicate (VAE1109); opting out removes it.
        string project = Path.Combine(App, "App.csproj");
        string csproj = File.ReadAllText(project);
        File.WriteAllText(project, csproj.Replace("</Project>", "  <ItemGroup>\n    <AdditionalFiles Include=\"specs/*.vae.yaml\" />\n  </ItemGroup>\n</Project>"));
        string listed = Run(App, "build");
        Assert.DoesNotContain("VAE1109", listed);
        File.WriteAllText(project, csproj.Replace("</Project>", "  <PropertyGroup>\n    <VaeGenIncludeSpecs>false</VaeGenIncludeSpecs>\n  </PropertyGroup>\n</Project>"));
        ProcessResult optedOut = Attempt(App, "build");
        Assert.NotEqual(0, optedOut.ExitCode);
        Assert.Contains("error CS0234: The type or namespace name 'Specs' does not exist", optedOut.Output); // nothing is generated
        File.WriteAllText(project, csproj);

        // A broken spec fails the build at its line and column.
        File.WriteAllText(Path.Combine(App, "specs", "fashion_mlp.vae.yaml"), spec.Replace("unflatten: [1, 28, 28]", "unflatten: [1, 28, 27]"));
        ProcessResult broken = Attempt(App, "build");
        Assert.NotEqual(0, broken.ExitCode);
        Assert.Contains("specs/fashion_mlp.vae.yaml(18,16): error VAE2008", broken.Output.Replace('\\', '/'));

        // An edited spec is picked up: no stale generated class.
        File.WriteAllText(Path.Combine(App, "specs", "fashion_mlp.vae.yaml"), spec.Replace("latent: 20", "latent: 24"));
        Assert.Contains("latent 24", Run(App, "run"));
    }

    [Fact]
    public void The_tool_installs_from_the_package_folder_and_checks_a_spec()
    {
        Pack("src/VaeGen.Tool/VaeGen.Tool.csproj");
        string tools = Path.Combine(Scratch, "tools");
        Run(Scratch, "tool", "install", "--tool-path", tools, "VaeGen.Tool", "--prerelease", "--add-source", Feed);
        string spec = Repository.Path("specs", "fashion_mlp.vae.yaml");
        ProcessResult check = ProcessRunner.Run(WithPrivateCache(ProcessRunner.Start(Path.Combine(tools, "vaegen"), Scratch, "check", spec)), Dotnet.DefaultTimeout, output);
        Assert.True(check.ExitCode == 0, check.ToString());
        Assert.Contains("fc_mu", check.Output);
        Assert.Contains("652,824", check.Output); // the parameter total of the table
    }

    [Fact]
    public void The_data_package_carries_the_data_library_and_depends_on_the_runtime()
    {
        Pack("src/VaeGen.Data/VaeGen.Data.csproj");
        string version = PackedVersion("VaeGen.Data");
        using ZipArchive package = ZipFile.OpenRead(Path.Combine(Feed, "VaeGen.Data." + version + ".nupkg"));
        Assert.Contains(package.Entries, e => e.FullName == "lib/net8.0/VaeGen.Data.dll");
        ZipArchiveEntry nuspec = Assert.Single(package.Entries, e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal));
        using var reader = new StreamReader(nuspec.Open());
        string manifest = reader.ReadToEnd();
        Assert.Contains("<dependency id=\"VaeGen.Runtime\" version=\"" + version + "\"", manifest);
    }

    /// <summary>The Program.cs README.md shows under "Use it in your project", so the README is what this test runs.</summary>
    private static string ReadmeProgram()
    {
        string readme = File.ReadAllText(Repository.Path("README.md"));
        int start = readme.IndexOf("```csharp\n", readme.IndexOf("Then `Program.cs` can use the generated class", StringComparison.Ordinal), StringComparison.Ordinal) + "```csharp\n".Length;
        return readme[start..readme.IndexOf("```", start, StringComparison.Ordinal)];
    }

    /// <summary>The version of the package <paramref name="id"/> this test packed into its feed.</summary>
    private string PackedVersion(string id) =>
        Directory.GetFiles(Feed, id + ".0*.nupkg").Select(f => Path.GetFileNameWithoutExtension(f)[(id.Length + 1)..]).Single();

    private static string Prefix()
    {
        string props = File.ReadAllText(Repository.Path("Directory.Build.props"));
        int start = props.IndexOf("<VersionPrefix>", StringComparison.Ordinal) + "<VersionPrefix>".Length;
        return props[start..props.IndexOf("</VersionPrefix>", start, StringComparison.Ordinal)];
    }

    private void Pack(string project) =>
        Run(Repository.Root, "pack", project, "--no-build", "--configuration", Configuration(), "--output", Feed);

    /// <summary>The configuration this test assembly was built in, which is what --no-build can pack.</summary>
    private static string Configuration() => AppContext.BaseDirectory.Replace('\\', '/').Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";

    /// <summary>Runs dotnet and returns its output; fails the test with the output unless it succeeds.</summary>
    private string Run(string folder, params string[] arguments) => Dotnet.AssertSucceeded(Attempt(folder, arguments)).Output;

    /// <summary>Runs dotnet; the exit code is the caller's to judge.</summary>
    private ProcessResult Attempt(string folder, params string[] arguments) =>
        ProcessRunner.Run(WithPrivateCache(Dotnet.Start(folder, arguments)), Dotnet.DefaultTimeout, output);

    /// <summary>A private package cache, so a stale cached VaeGen 0.1.0 can never stand in for the one under test.</summary>
    private ProcessStartInfo WithPrivateCache(ProcessStartInfo start)
    {
        start.Environment["NUGET_PACKAGES"] = Path.Combine(Scratch, "packages");
        return start;
    }

    public void Dispose() => _temp.Dispose();
}
