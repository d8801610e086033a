using System;
using System.IO;
using VaeGen.Testing;
using Xunit;
using Xunit.Abstractions;

namespace VaeGen.Generators.Tests;

/// <summary>
/// Builds a scratch console project that references the generator the way a user's project does
/// (an analyzer ProjectReference, specs as AdditionalFiles) with the real `dotnet build`, so the
/// dependency bundling (VaeGen.Spec.dll, YamlDotNet.dll) and the printed locations are tested for real.
/// </summary>
public sealed class EndToEndBuildTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempFolder _temp = new("vaegen-e2e-");

    private string Folder => _temp.Path;

    [Fact]
    public void Dotnet_build_prints_the_spec_location_and_then_uses_the_generated_class()
    {
        string generator = Repository.Path("generators", "VaeGen.Generators", "VaeGen.Generators.csproj");
        string runtime = Repository.Path("src", "VaeGen.Runtime", "VaeGen.Runtime.csproj");
        File.WriteAllText(Path.Combine(Folder, "App.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                <RootNamespace>App</RootNamespace>
              </PropertyGroup>
              <ItemGroup>
                <ProjectReference Include="{generator}" OutputItemType="Analyzer" ReferenceOutputAssembly="false" />
                <ProjectReference Include="{runtime}" />
                <AdditionalFiles Include="specs/*.vae.yaml" />
                <CompilerVisibleProperty Include="RootNamespace" />
              </ItemGroup>
            </Project>
            """);
        Directory.CreateDirectory(Path.Combine(Folder, "specs"));
        File.Copy(Path.Combine(AppContext.BaseDirectory, "specs", "fashion_mlp.vae.yaml"), Path.Combine(Folder, "specs", "fashion_mlp.vae.yaml"));
        File.WriteAllText(Path.Combine(Folder, "Program.cs"), """
            using VaeGen.Specs;

            var model = new FashionMlpVae(seed: 1);
            var batch = FashionMlpVae.CreateBatch(16);
            for (int i = 0; i < batch.Length; i++)
            {
                batch.Data[i] = (i * 37) % 256; // a fixed pattern in the data's range [0, 255]
            }

            double first = model.TrainStep(batch).Total, last = first;
            for (int step = 0; step < 30; step++)
            {
                last = model.TrainStep(batch).Total;
            }

            System.Console.WriteLine($"{FashionMlpVae.LatentDim} {FashionMlpVae.ParameterCount} {(last < first ? "falls" : "stuck")}");
            """.Replace("\r\n", "\n"));

        // The seed 000 walkthrough as written: two shape errors, at lines 9 and 10.
        File.WriteAllText(Path.Combine(Folder, "specs", "seed.vae.yaml"), """
            name: SeedVae
            input: { shape: [5, 5, 3], layout: nhwc, range: [0, 255], scale: 255 }
            latent: 128
            encoder:
              - conv2d: { out: 32, kernel: 3, activation: relu }
              - maxpool2d: { kernel: 2, stride: 2 }
              - conv2d: { out: 64, kernel: 3, activation: relu }
              - maxpool2d: { kernel: 2, stride: 2 }
              - flatten
              - linear: { out: 256, activation: relu }
            decoder:
              - linear: { out: 256, activation: relu }
              - linear: { out: 75 }
              - unflatten: [3, 5, 5]
              - sigmoid
            """.Replace("\r\n", "\n"));

        var failed = Dotnet("build", "-fileLogger", "-fileLoggerParameters:LogFile=build.log;Verbosity=minimal;NoSummary");
        Assert.NotEqual(0, failed.ExitCode);
        Assert.Contains("specs/seed.vae.yaml(7,32): error VAE2001: seed.vae.yaml, encoder[2].conv2d.kernel:", failed.Output);
        Assert.Contains("specs/seed.vae.yaml(8,26): error VAE2002: seed.vae.yaml, encoder[3].maxpool2d.kernel:", failed.Output);
        // Each reported exactly once: by SpecAnalyzer, not also by the generator. Counted in MSBuild's
        // file log, where each diagnostic is one line (the dotnet CLI's console repeats every error, C# ones too).
        string log = File.ReadAllText(Path.Combine(Folder, "build.log"));
        Assert.Equal(1, Occurrences(log, "error VAE2001"));
        Assert.Equal(1, Occurrences(log, "error VAE2002"));
        Assert.DoesNotContain("CS8785", failed.Output); // the generator itself loaded and ran
        Assert.DoesNotContain("error CS", failed.Output); // the valid spec's class was still generated

        File.Delete(Path.Combine(Folder, "specs", "seed.vae.yaml"));
        var fixedBuild = Dotnet("run");
        Assert.True(fixedBuild.ExitCode == 0, fixedBuild.Output);
        Assert.Contains("20 " + (784 * 400 + 400 + 2 * (400 * 20 + 20) + 20 * 400 + 400 + 400 * 784 + 784) + " falls", fixedBuild.Output);
    }

    private static int Occurrences(string text, string part) => (text.Length - text.Replace(part, string.Empty, StringComparison.Ordinal).Length) / part.Length;

    /// <summary>Quiet, and with no compiler server or MSBuild node left running to hold the scratch folder.</summary>
    private ProcessResult Dotnet(string verb, params string[] more) =>
        VaeGen.Testing.Dotnet.Run(Folder, output, [verb, "-nologo", "-v:q", "-clp:NoSummary", "-nodeReuse:false", "-p:UseSharedCompilation=false", .. more]);

    public void Dispose() => _temp.Dispose();
}
