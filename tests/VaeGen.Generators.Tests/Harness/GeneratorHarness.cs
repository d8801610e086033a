using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace VaeGen.Generators.Tests.Harness;

/// <summary>Runs <see cref="VaeGenerator"/> in a CSharpGeneratorDriver over in-memory specs, with step tracking on.</summary>
internal sealed class GeneratorHarness
{
    private static readonly Lazy<MetadataReference[]> References = new(() =>
        ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Where(p => p.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToArray());

    /// <summary>C# as the SDK compiles for the framework the harness references (net10.0), which defines NET5_0_OR_GREATER.</summary>
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest, preprocessorSymbols: new[] { "NET", "NET5_0_OR_GREATER" });

    public GeneratorHarness(IEnumerable<AdditionalText> specs, IReadOnlyDictionary<string, string>? properties = null, params string[] sources)
    {
        Compilation = CSharpCompilation.Create(
            "Consumer",
            (sources.Length == 0 ? new[] { "namespace Consumer { internal static class Program { private static void Main() { } } }" } : sources)
                .Select((s, i) => CSharpSyntaxTree.ParseText(s, ParseOptions, path: "/repo/Program" + i + ".cs")),
            References.Value.Append(MetadataReference.CreateFromFile(RuntimePath)),
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable));
        Driver = CSharpGeneratorDriver.Create(
            new[] { new VaeGenerator().AsSourceGenerator() },
            specs,
            ParseOptions,
            new TestOptionsProvider(properties ?? new Dictionary<string, string> { ["build_property.RootNamespace"] = "Consumer" }),
            new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));
    }

    /// <summary>The real TorchSharp assembly (the TorchSharp package's lib/net8.0/TorchSharp.dll, the version Directory.Build.props pins as TorchSharpVersion), copied beside the tests.</summary>
    public static readonly string TorchSharpPath = Path.Combine(AppContext.BaseDirectory, "torchsharp", "TorchSharp.dll");

    /// <summary>Adds TorchSharp to the compilation, as a project referencing TorchSharp has it.</summary>
    public GeneratorHarness WithTorchSharp()
    {
        Compilation = Compilation.AddReferences(MetadataReference.CreateFromFile(TorchSharpPath));
        return this;
    }

    /// <summary>VaeGen.Runtime, copied beside the tests (not referenced by them, so it is not on the trusted-platform list).</summary>
    public static readonly string RuntimePath = Path.Combine(AppContext.BaseDirectory, "vaegen-runtime", "VaeGen.Runtime.dll");

    /// <summary>VaeGen.Data, copied beside the tests like VaeGen.Runtime.</summary>
    public static readonly string DataPath = Path.Combine(AppContext.BaseDirectory, "vaegen-data", "VaeGen.Data.dll");

    /// <summary>Adds VaeGen.Data, as a project that reads images with it has it.</summary>
    public GeneratorHarness WithData()
    {
        Compilation = Compilation.AddReferences(MetadataReference.CreateFromFile(DataPath));
        return this;
    }

    /// <summary>Removes VaeGen.Runtime, which every harness compilation references as a VaeGen user's project does.</summary>
    public GeneratorHarness WithoutRuntime()
    {
        Compilation = Compilation.RemoveReferences(Compilation.References.Where(r => r.Display == RuntimePath));
        return this;
    }

    public Compilation Compilation { get; private set; }

    public GeneratorDriver Driver { get; private set; }

    public Compilation Output { get; private set; } = null!;

    /// <summary>Runs the generator (keeping the driver, which holds the incremental cache) and returns its result.</summary>
    public GeneratorRunResult Run()
    {
        Driver = Driver.RunGeneratorsAndUpdateCompilation(Compilation, out var output, out _);
        Output = output;
        return Driver.GetRunResult().Results.Single();
    }

    public void ReplaceSpec(AdditionalText old, AdditionalText replacement) => Driver = Driver.ReplaceAdditionalText(old, replacement);

    public void ReplaceCompilation(Compilation compilation) => Compilation = compilation;

    /// <summary>Errors and warnings of compiling the user's code together with the generated code.</summary>
    public ImmutableArray<Diagnostic> CompileDiagnostics() =>
        Output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToImmutableArray();

    public static string Format(Diagnostic d)
    {
        var span = d.Location.GetLineSpan();
        return span.Path + "(" + (span.StartLinePosition.Line + 1) + "," + (span.StartLinePosition.Character + 1) + "): " +
               d.Severity.ToString().ToLowerInvariant() + " " + d.Id + ": " + d.GetMessage(System.Globalization.CultureInfo.InvariantCulture);
    }
}
