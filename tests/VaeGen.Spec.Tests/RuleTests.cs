using System;
using System.Collections.Generic;
using System.Linq;
using VaeGen.Spec.Checking;
using VaeGen.Spec.Diagnostics;
using VaeGen.Spec.Text;
using Xunit;

namespace VaeGen.Spec.Tests;

/// <summary>Every diagnostic rule: a failing spec located exactly, and a near miss that does not trigger it.</summary>
public class RuleTests
{
    /// <summary>
    /// Rules the checker does not report for one spec: the internal error, the cross-file duplicate
    /// class check (tested below with DuplicateClassNames.Find), the generator's backend rules and
    /// VAE9004, which the compiler reports at a C# use of a broken spec's class (both tested in
    /// VaeGen.Generators.Tests). A new rule must get a case or be listed here.
    /// </summary>
    private static readonly string[] NotSingleSpecRules = { "VAE9001", "VAE1109", "VAE9002", "VAE9003", "VAE9004" };

    private static readonly HashSet<string> ExpectedWarnings = new(StringComparer.Ordinal) { "VAE2013", "VAE3001", "VAE3002", "VAE3007" };

    public static TheoryData<string> CaseNames()
    {
        var data = new TheoryData<string>();
        foreach (var c in RuleCases.All)
        {
            data.Add(c.Name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Failing_spec_reports_the_rule_at_the_marked_node(string name)
    {
        var c = RuleCases.Get(name);
        Assert.DoesNotContain(MarkedYaml.EditFailed, c.Yaml);
        var (text, line, column) = MarkedYaml.Strip(c.Yaml);
        Assert.True(line >= 0, "the case has no location marker");

        var result = SpecText.Check(text);
        string all = SpecText.Describe(result) + Environment.NewLine + "--- spec:" + Environment.NewLine + text;
        var hits = result.Diagnostics.Where(d => d.Id == c.Id).ToList();
        Assert.True(hits.Count == 1, "expected exactly one " + c.Id + ", got:" + Environment.NewLine + all);
        var d = hits[0];

        Assert.True((line, column) == (d.Span.StartLine, d.Span.StartColumn),
            "expected " + c.Id + " at (" + (line + 1) + "," + (column + 1) + ") but it is at " + d.Span + Environment.NewLine + all);
        Assert.Equal(c.Path, d.YamlPath);
        var expectedSeverity = ExpectedWarnings.Contains(c.Id) ? Severity.Warning : Severity.Error;
        Assert.Equal(expectedSeverity, d.Severity);
        Assert.Equal(DiagnosticRules.All.Single(r => r.Id == c.Id).Severity, d.Severity);

        string prefix = c.Path.Length == 0 ? "test.vae.yaml: " : "test.vae.yaml, " + c.Path + ": ";
        Assert.StartsWith(prefix, d.Message, StringComparison.Ordinal);
        foreach (var fragment in c.Contains)
        {
            Assert.True(d.Message.Contains(fragment, StringComparison.Ordinal), "message lacks \"" + fragment + "\": " + d.Message);
        }

        SpanIsInside(d.Span, text);
        var others = result.Diagnostics.Where(x => x.Id != c.Id).Select(x => x.Id).Distinct().OrderBy(x => x, StringComparer.Ordinal).ToArray();
        Assert.True(others.SequenceEqual(c.Also.OrderBy(x => x, StringComparer.Ordinal)), "unexpected other diagnostics:" + Environment.NewLine + all);

        if (expectedSeverity == Severity.Error)
        {
            Assert.Null(result.Plan);
        }
        else if (c.Also.Length == 0)
        {
            Assert.NotNull(result.Plan);
        }
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Near_miss_does_not_report_the_rule(string name)
    {
        var c = RuleCases.Get(name);
        Assert.DoesNotContain(MarkedYaml.EditFailed, c.NearMiss);
        Assert.DoesNotContain(MarkedYaml.Marker.ToString(), c.NearMiss, StringComparison.Ordinal);
        var result = SpecText.Check(c.NearMiss);
        string all = SpecText.Describe(result) + Environment.NewLine + "--- spec:" + Environment.NewLine + c.NearMiss;
        Assert.True(result.Diagnostics.All(d => d.Id != c.Id), all);
        if (c.NearMissClean)
        {
            Assert.True(result.Diagnostics.Count == 0, "the near miss is not clean:" + Environment.NewLine + all);
            Assert.NotNull(result.Plan);
        }
    }

    [Fact]
    public void Every_rule_has_a_case()
    {
        var covered = RuleCases.All.Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
        var missing = DiagnosticRules.All.Select(r => r.Id).Except(NotSingleSpecRules).Where(id => !covered.Contains(id)).ToList();
        Assert.True(missing.Count == 0, "rules without a failing case in RuleCases: " + string.Join(", ", missing));
        Assert.All(RuleCases.All, c => Assert.Contains(DiagnosticRules.All, r => r.Id == c.Id));
    }

    [Fact]
    public void Case_names_are_unique()
    {
        var duplicates = RuleCases.All.GroupBy(c => c.Name).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.Empty(duplicates);
    }

    [Fact]
    public void Base_specs_are_clean()
    {
        foreach (var spec in new[] { RuleCases.Conv, RuleCases.Mlp, RuleCases.BoundaryMlp(2147483647) })
        {
            var result = SpecText.Check(spec);
            Assert.True(result.Diagnostics.Count == 0, SpecText.Describe(result));
            Assert.NotNull(result.Plan);
        }
    }

    [Fact]
    public void Channels_first_rgb_with_nchw_gets_no_channel_order_warning()
    {
        var spec = RuleCases.Conv.Edit("shape: [1, 8, 8]", "shape: [3, 64, 64]\n  layout: nchw")
            .Edit("maxpool2d: { kernel: 2 }", "maxpool2d: { kernel: 16 }")
            .Edit("conv_transpose2d: { out: 1, kernel: 4, stride: 2, padding: 1 }", "upsample: { scale: 16 }\n  - conv2d: { out: 3, kernel: 3, padding: 1 }");
        var result = SpecText.Check(spec);
        Assert.True(result.Diagnostics.Count == 0, SpecText.Describe(result));
        Assert.Equal("[3, 64, 64]", result.Plan!.InputShape.ToString());
    }

    [Fact]
    public void Input_at_the_32_bit_limit_is_accepted_and_one_more_is_not()
    {
        var ok = SpecText.Check(RuleCases.BoundaryMlp(int.MaxValue));
        Assert.True(ok.Diagnostics.Count == 0, SpecText.Describe(ok));

        var over = SpecText.Check(RuleCases.BoundaryMlp((long)int.MaxValue + 1));
        var d = Assert.Single(over.Diagnostics);
        Assert.Equal("VAE2005", d.Id);
        Assert.Equal("input.shape", d.YamlPath);
        Assert.Contains("2,147,483,648", d.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Duplicate_class_names_are_reported_on_each_spec()
    {
        var spanA = new SourceSpan(6, 13, 0, 6, 0, 13);
        var spanB = new SourceSpan(20, 27, 2, 6, 2, 13);
        var found = DuplicateClassNames.Find(new[]
        {
            new DuplicateClassNames.Entry("Tests.Specs.TestVae", "/repo/specs/b.vae.yaml", spanB),
            new DuplicateClassNames.Entry("Tests.Specs.Other", "/repo/specs/c.vae.yaml", spanA),
            new DuplicateClassNames.Entry("Tests.Specs.TestVae", "/repo/specs/a.vae.yaml", spanA),
        });

        Assert.Equal(2, found.Count);
        var a = found.Single(d => d.FilePath.EndsWith("a.vae.yaml", StringComparison.Ordinal));
        var b = found.Single(d => d.FilePath.EndsWith("b.vae.yaml", StringComparison.Ordinal));
        foreach (var d in found)
        {
            Assert.Equal("VAE1109", d.Id);
            Assert.Equal(Severity.Error, d.Severity);
            Assert.Equal("name", d.YamlPath);
            Assert.Contains("Tests.Specs.TestVae", d.Message, StringComparison.Ordinal);
        }

        Assert.Equal(spanA, a.Span);
        Assert.Equal(spanB, b.Span);
        Assert.StartsWith("a.vae.yaml, name: ", a.Message, StringComparison.Ordinal);
        Assert.Contains("b.vae.yaml", a.Message, StringComparison.Ordinal);
        Assert.StartsWith("b.vae.yaml, name: ", b.Message, StringComparison.Ordinal);
        Assert.Contains("a.vae.yaml", b.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Duplicate_class_names_from_checked_specs()
    {
        // Near miss: the same name in another namespace is a different class.
        static DuplicateClassNames.Entry EntryOf(string path, string yaml)
        {
            var r = SpecChecker.Check(path, yaml);
            Assert.False(r.HasErrors, SpecText.Describe(r));
            return new DuplicateClassNames.Entry(r.Namespace + "." + r.ClassName, path, r.NameSpan);
        }

        var one = EntryOf("/p/one.vae.yaml", RuleCases.Conv);
        var two = EntryOf("/p/two.vae.yaml", "# the same class again\n" + RuleCases.Conv);
        var other = EntryOf("/p/other.vae.yaml", RuleCases.Conv.Edit("namespace: Tests.Specs", "namespace: Tests.Other"));

        Assert.Empty(DuplicateClassNames.Find(new[] { one, other }));
        var found = DuplicateClassNames.Find(new[] { one, two, other });
        Assert.Equal(new[] { "one.vae.yaml", "two.vae.yaml" }, found.Select(d => System.IO.Path.GetFileName(d.FilePath)).ToArray());
        var second = found[1];
        Assert.Equal((1, 6), (second.Span.StartLine, second.Span.StartColumn)); // "name: TestVae" on line 2, 0-based (1, 6)
    }

    internal static void SpanIsInside(SourceSpan span, string text, int lines = -1)
    {
        Assert.InRange(span.Start, 0, text.Length);
        Assert.InRange(span.End, span.Start, text.Length);
        lines = lines >= 0 ? lines : text.Count(ch => ch == '\n') + 1;
        Assert.InRange(span.StartLine, 0, lines - 1);
        Assert.InRange(span.EndLine, span.StartLine, lines - 1);
        Assert.True(span.StartColumn >= 0 && span.EndColumn >= 0);
    }
}
