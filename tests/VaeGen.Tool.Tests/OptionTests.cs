using VaeGen.Testing;
using Xunit;

namespace VaeGen.Tool.Tests;

/// <summary>Every malformed option value is one usage line and exit 2, never a stack trace (exit 134) or an internal error.</summary>
public sealed class OptionTests
{
    private static readonly string Mlp = ToolProcess.Spec("fashion_mlp.vae.yaml");

    [Theory]
    [InlineData("train", "--lr", "abc", "--lr takes a finite number such as 0.001 or 1e-3, not 'abc'")]
    [InlineData("train", "--lr", "inf", "--lr takes a finite number such as 0.001 or 1e-3, not 'inf'")]
    [InlineData("train", "--lr", "NaN", "--lr takes a finite number such as 0.001 or 1e-3, not 'NaN'")]
    [InlineData("train", "--lr", "-1", "--lr must be a positive number, not -1")]
    [InlineData("train", "--batch", "abc", "--batch takes a whole number, not 'abc'")]
    [InlineData("train", "--batch", "99999999999", "--batch must be at most 2147483647, not 99999999999")]
    [InlineData("train", "--epochs", "abc", "--epochs takes a whole number, not 'abc'")]
    [InlineData("train", "--epochs", "0", "--epochs must be at least 1, not 0")]
    [InlineData("train", "--limit-train", "x", "--limit-train takes a whole number, not 'x'")]
    [InlineData("train", "--seed", "-1", "--seed must be between 0 and 18446744073709551615, not -1")]
    [InlineData("sample", "-n", "x", "-n takes a whole number, not 'x'")]
    [InlineData("sample", "-n", "1000000", "-n must be at most 1024, not 1000000")]
    [InlineData("sample", "-n", "100000000", "-n must be at most 1024, not 100000000")]
    [InlineData("interpolate", "--steps", "100000", "--steps must be at most 256, not 100000")]
    [InlineData("eval", "--k", "x", "--k takes a whole number, not 'x'")]
    [InlineData("interpolate", "--steps", "x", "--steps takes a whole number, not 'x'")]
    [InlineData("interpolate", "--from", "-1", "--from must be at least 0, not -1")]
    [InlineData("bench", "--seconds", "x", "--seconds takes a finite number such as 0.001 or 1e-3, not 'x'")]
    public void ABadOptionValueIsOneLineAndExitTwo(string verb, string option, string value, string message)
    {
        string[] required = verb switch
        {
            "sample" or "eval" => ["--weights", "w.safetensors"],
            "interpolate" => ["--weights", "w.safetensors", "--out", "strip.png"],
            _ => [],
        };
        ProcessResult result = ToolProcess.Run([verb, Mlp, .. required, option, value]);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Equal("vaegen: error: " + message + " (see 'vaegen " + verb + " --help')\n", result.Error);
        Assert.Equal(string.Empty, result.Out);
    }

    [Fact]
    public void ResumeAndOverwriteExcludeEachOther()
    {
        ProcessResult result = ToolProcess.Run("train", Mlp, "--resume", "--overwrite");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("vaegen: error: --resume continues the run in the output folder and --overwrite replaces it; give one of them (see 'vaegen train --help')\n", result.Error);
    }

    [Fact]
    public void AnUnknownVerbIsNamedFirst()
    {
        ProcessResult result = ToolProcess.Run("frob", Mlp);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("vaegen: error: Unrecognized command or argument 'frob' (see 'vaegen --help')\n", result.Error);
    }
}
