using System;
using System.IO;
using System.Linq;
using VaeGen.Spec.Diagnostics;
using VaeGen.Testing;
using Xunit;

namespace VaeGen.Spec.Tests;

/// <summary>README.md's diagnostics catalog is documentation users rely on: it must list every rule exactly as the checker has it.</summary>
public class ReadmeCatalogTests
{
    [Fact]
    public void The_readme_catalog_lists_every_rule_with_its_severity_and_title()
    {
        var rows = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "README.md"))
            .Where(l => l.StartsWith("| VAE", StringComparison.Ordinal))
            .Select(l => l.Split('|').Select(c => c.Trim()).ToArray())
            .ToDictionary(c => c[1]);

        Assert.Equal(DiagnosticRules.All.Select(r => r.Id), rows.Keys);
        foreach (var rule in DiagnosticRules.All)
        {
            var row = rows[rule.Id];
            Assert.Equal(rule.Severity.ToString().ToLowerInvariant(), row[2]);
            Assert.Equal(rule.Title.Replace("|", "/"), row[3]);
            Assert.Equal(rule.Fix.Replace("|", "/"), row[5]);
        }
    }

    /// <summary>
    /// The generator's descriptors, AnalyzerReleases.Unshipped.md and this catalog are written by
    /// tools/regenerate-diagnostic-tables.py from the rules; a hand edit to one of them that the script would undo
    /// (it once fell behind the descriptors' custom tags) fails here.
    /// </summary>
    [Fact]
    public void The_tables_derived_from_the_rules_are_what_the_regeneration_script_writes()
    {
        ProcessResult check = ProcessRunner.Run(
            ProcessRunner.Start("python3", Repository.Root, Repository.Path("tools", "regenerate-diagnostic-tables.py"), "--check"),
            TimeSpan.FromMinutes(1));
        Assert.True(check.ExitCode == 0, check.ToString());
    }

    [Fact]
    public void Rule_ids_are_unique_and_grouped_by_category()
    {
        Assert.Equal(DiagnosticRules.All.Count, DiagnosticRules.All.Select(r => r.Id).Distinct().Count());
        foreach (var rule in DiagnosticRules.All)
        {
            Assert.Matches("^VAE[0-9]{4}$", rule.Id);
            char group = rule.Category switch
            {
                RuleCategory.Syntax or RuleCategory.Schema => '1',
                RuleCategory.Shape => '2',
                RuleCategory.Semantics => '3',
                _ => '9',
            };
            Assert.Equal(group, rule.Id[3]);
            Assert.False(rule.Title.EndsWith(".", StringComparison.Ordinal), rule.Id);
        }
    }
}
