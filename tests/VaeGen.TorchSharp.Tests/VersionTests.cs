using System.IO;
using TorchSharp;
using VaeGen.Testing;
using VaeGen.Spec.Diagnostics;
using Xunit;

namespace VaeGen.TorchSharpTests;

/// <summary>VAE9003 and README name the TorchSharp-cpu version these tests run on.</summary>
public sealed class VersionTests
{
    private static readonly string Package = "TorchSharp-cpu " + typeof(torch).Assembly.GetName().Version!.ToString(3);

    [Fact]
    public void VAE9003_names_the_tested_TorchSharp_version()
    {
        Assert.Contains(Package, DiagnosticRules.TorchSharpMissing.Fix);
    }

    [Fact]
    public void README_names_the_tested_TorchSharp_version_and_no_other()
    {
        string readme = File.ReadAllText(Path.Combine(Repository.Root, "README.md"));
        Assert.Contains("<PackageReference Include=\"TorchSharp-cpu\" Version=\"" + typeof(torch).Assembly.GetName().Version!.ToString(3) + "\" />", readme);
        Assert.DoesNotContain("Include=\"TorchSharp-cpu\" Version=\"0.106", readme);
    }
}
