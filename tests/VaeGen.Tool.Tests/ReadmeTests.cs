using System;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using VaeGen.Testing;
using Xunit;

namespace VaeGen.Tool.Tests;

/// <summary>README.md's tool section says what the tool does: every option --help lists, and no document that is not in the repository.</summary>
public sealed class ReadmeTests
{
    private static readonly string Readme = File.ReadAllText(Repository.Path("README.md"));

    [Theory]
    [InlineData("check")]
    [InlineData("explain")]
    [InlineData("train")]
    [InlineData("sample")]
    [InlineData("interpolate")]
    [InlineData("eval")]
    [InlineData("bench")]
    [InlineData("export")]
    public void TheVerbTableNamesEveryOptionOfHelp(string verb)
    {
        ProcessResult help = ToolProcess.Run(verb, "--help");
        Assert.True(help.ExitCode == 0, help.ToString());
        string[] options = Regex.Matches(help.Out, @"^  (?:-\?, -h, )?(--?[a-z][a-z-]*)", RegexOptions.Multiline)
            .Select(m => m.Groups[1].Value).Where(o => o != "--help").ToArray();
        Assert.NotEmpty(options);

        string row = Readme.Split('\n').Single(l => l.StartsWith("| `" + verb + " <spec>", StringComparison.Ordinal));
        foreach (string option in options)
        {
            Assert.True(Regex.IsMatch(row, "[`\\[ ]" + Regex.Escape(option) + "[ `\\]]"), "README's row of " + verb + " does not name " + option + ": " + row);
        }
    }

    [Fact]
    public void NothingPointsAtDocumentsOutsideTheRepository()
    {
        Assert.DoesNotContain("seeds/", Readme);
        foreach (Match spec in Regex.Matches(Readme, @"specs/([a-z0-9_]+)\.vae\.yaml"))
        {
            Assert.True(File.Exists(Repository.Path("specs", spec.Groups[1].Value + ".vae.yaml")) || spec.Groups[1].Value is "walkthrough" or "x", // the edited copy the README shows, and a placeholder
                "README names " + spec.Value + ", which is not in the repository");
        }

        ProcessResult explain = ToolProcess.Run("explain", ToolProcess.Spec("seed000.vae.yaml"));
        Assert.True(explain.ExitCode == 0, explain.ToString());
        Assert.DoesNotContain("seeds/", explain.Out);
    }
}
