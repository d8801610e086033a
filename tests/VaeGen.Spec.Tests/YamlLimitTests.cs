using System.Linq;
using System.Text;
using Xunit;

namespace VaeGen.Spec.Tests;

/// <summary>VAE1005 says which limit was hit: an alias bomb, or a plain file far larger than a spec.</summary>
public class YamlLimitTests
{
    [Fact]
    public void A_huge_plain_file_is_not_called_an_alias_bomb()
    {
        var yaml = new StringBuilder("name: Big\nextra: [");
        yaml.Append(string.Join(", ", Enumerable.Repeat("1", 100_001)));
        yaml.Append("]\n");
        var diagnostic = Assert.Single(SpecText.Check(yaml.ToString()).Diagnostics);
        Assert.Equal("VAE1005", diagnostic.Id);
        Assert.Contains("holds more than 100,000 values", diagnostic.Message);
        Assert.DoesNotContain("alias", diagnostic.Message);
    }

    [Fact]
    public void An_alias_bomb_is_named_as_such()
    {
        var yaml = new StringBuilder("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for (int i = 1; i < 9; i++)
        {
            yaml.Append('a').Append(i).Append(": &a").Append(i).Append(" [")
                .Append(string.Join(", ", Enumerable.Repeat("*a" + (i - 1), 10))).Append("]\n");
        }

        var diagnostic = Assert.Single(SpecText.Check(yaml.ToString()).Diagnostics);
        Assert.Equal("VAE1005", diagnostic.Id);
        Assert.Contains("alias expansion bomb", diagnostic.Message);
    }
}
