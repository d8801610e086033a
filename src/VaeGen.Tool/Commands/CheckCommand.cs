using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Linq;
using System.Text.Json;
using VaeGen.Spec.Checking;
using VaeGen.Spec.Diagnostics;
using VaeGen.Spec.Shapes;
using VaeGen.Tool.Cli;
using VaeGen.Tool.Models;
using VaeGen.Tool.Rendering;

namespace VaeGen.Tool.Commands;

/// <summary>
/// <c>vaegen check spec...</c>: the build's diagnostics for each spec, then its per-layer table;
/// for a spec that fails at a layer, the table up to that layer and then the error. Exit code 1
/// when any spec has an error, as the build would fail.
/// </summary>
internal static class CheckCommand
{
    public static Command Create(ToolConsole console)
    {
        var specs = new Argument<string[]>("spec") { Description = "One or more *.vae.yaml files, or folders of them.", Arity = ArgumentArity.OneOrMore };
        var json = ToolOptions.Json();
        var command = new Command("check", "Check specs as the build does: diagnostics, then each model's layers, output shapes and parameter counts.")
        {
            specs,
            json,
        };
        command.SetAction(parse => Run(console, parse.GetRequiredValue(specs), parse.GetValue(json)));
        return command;
    }

    private static int Run(ToolConsole console, string[] paths, bool json)
    {
        // Read every file first: an unreadable one is a usage error that should not hide behind the others' output.
        var results = paths.SelectMany(Expand).Select(path => (Path: path, Result: SpecFile.Check(path))).ToList();
        var reports = new List<SpecReport>();
        foreach (var (path, result) in results)
        {
            int failing = FailingRow(result);
            reports.Add(Report(path, result, failing));
            if (!json)
            {
                Print(console, path, result, failing);
            }
        }

        int errors = reports.Sum(r => r.Diagnostics.Count(d => d.Severity == "error"));
        int warnings = reports.Sum(r => r.Diagnostics.Count(d => d.Severity == "warning"));
        if (json)
        {
            console.Out.WriteLine(JsonSerializer.Serialize(new CheckReport(reports, errors, warnings), ToolJson.Readable.CheckReport));
        }
        else
        {
            int bad = reports.Count(r => !r.Valid);
            console.Out.WriteLine(SpecFile.Plural(reports.Count, "spec") + " checked: " + (reports.Count - bad) + " ok" +
                                  (bad > 0 ? ", " + bad + " with errors" : string.Empty) + " (" + SpecFile.Plural(errors, "error") + ", " + SpecFile.Plural(warnings, "warning") + ")");
        }

        return errors > 0 ? ExitCodes.SpecErrors : ExitCodes.Success;
    }

    /// <summary>A folder stands for the specs in it, so <c>vaegen check specs</c> checks them all.</summary>
    private static IEnumerable<string> Expand(string path)
    {
        if (!System.IO.Directory.Exists(path))
        {
            return [path];
        }

        string[] specs = System.IO.Directory.GetFiles(path, "*.vae.yaml");
        if (specs.Length == 0)
        {
            throw new ToolException(path + ": no *.vae.yaml files in this folder");
        }

        Array.Sort(specs, StringComparer.Ordinal);
        return specs;
    }

    private static void Print(ToolConsole console, string path, SpecCheckResult result, int failing)
    {
        var layers = result.Layers;

        // Around a failing layer: what concerns the spec as a whole first, then the table up to the
        // layer, its error, and what later layers report (their shapes are only guessed past it).
        var inRow = new List<SpecDiagnostic>();
        var later = new List<SpecDiagnostic>();
        if (failing >= 0)
        {
            inRow.AddRange(result.Diagnostics.Where(d => d.IsError && BelongsTo(d, layers[failing])));
            later.AddRange(result.Diagnostics.Where(d => !inRow.Contains(d) && layers.Skip(failing + 1).Any(row => BelongsTo(d, row))));
        }

        console.Out.WriteLine(result.Plan is { } plan ? LayerTable.Headline(path, plan.Spec)
            : path + ": " + (result.ClassName ?? "(no name)") + ", " + SpecFile.Plural(result.Diagnostics.Count(d => d.IsError), "error"));
        foreach (SpecDiagnostic diagnostic in result.Diagnostics.Except(inRow).Except(later))
        {
            console.Out.WriteLine(diagnostic.Format(path));
        }

        if (result.Plan is { } valid)
        {
            console.Out.Flush();
            console.Ansi.Write(LayerTable.Build(valid.AllLayers.ToList(), -1, valid.InputShape, valid));
        }
        else if (failing >= 0)
        {
            console.Out.Flush();
            console.Ansi.Write(LayerTable.Build(layers, failing, InputShape(layers)));
            foreach (SpecDiagnostic diagnostic in inRow.Concat(later))
            {
                console.Out.WriteLine(diagnostic.Format(path));
            }
        }

        console.Out.WriteLine();
    }

    /// <summary>The first row that an error points into, or -1: the table stops there, as the model would fail there.</summary>
    private static int FailingRow(SpecCheckResult result)
    {
        if (result.Plan is not null)
        {
            return -1;
        }

        for (int i = 0; i < result.Layers.Count; i++)
        {
            if (result.Diagnostics.Any(d => d.IsError && BelongsTo(d, result.Layers[i])))
            {
                return i;
            }
        }

        return -1;
    }

    private static bool BelongsTo(SpecDiagnostic diagnostic, LayerPlan row)
    {
        string layer = row.Layer.YamlPath;
        string at = diagnostic.YamlPath;
        return at == layer || (at.Length > layer.Length && at.StartsWith(layer, StringComparison.Ordinal) && at[layer.Length] is '.' or '[');
    }

    private static TensorShape InputShape(IReadOnlyList<LayerPlan> rows) => rows.Count > 0 ? rows[0].Input : TensorShape.Of();

    private static SpecReport Report(string path, SpecCheckResult result, int failing)
    {
        var diagnostics = result.Diagnostics.Select(d => new DiagnosticReport(
            d.Id, d.IsError ? "error" : "warning", d.Span.StartLine + 1, d.Span.StartColumn + 1, d.YamlPath, d.Message, d.Format(path))).ToList();
        IReadOnlyList<LayerPlan> rows = result.Plan is { } plan ? plan.AllLayers.ToList()
            : failing >= 0 ? result.Layers.Take(failing + 1).ToList() : Array.Empty<LayerPlan>();
        var layers = rows.Select(r => new LayerReport(r.ModuleName, r.Description, r.Input.Dimensions.ToArray(), r.Output.Dimensions.ToArray(), LayerTable.ParameterCount(r))).ToList();
        return new SpecReport(path, result.Plan is not null, result.ClassName, result.Namespace, diagnostics, layers,
            result.Plan?.TotalParameters, failing >= 0 ? result.Layers[failing].ModuleName : null);
    }
}

/// <summary>The JSON of <c>vaegen check --json</c>.</summary>
internal sealed record CheckReport(List<SpecReport> Specs, int Errors, int Warnings);

/// <param name="FailedAt">The module where the model fails, when the error is in a layer.</param>
internal sealed record SpecReport(string File, bool Valid, string? Class, string? Namespace, List<DiagnosticReport> Diagnostics, List<LayerReport> Layers, long? TotalParameters, string? FailedAt);

/// <param name="Text">The diagnostic as the build prints it.</param>
internal sealed record DiagnosticReport(string Id, string Severity, int Line, int Column, string Path, string Message, string Text);

/// <param name="Parameters">Null when the count does not fit in 64 bits (a layer the checker refuses for it).</param>
internal sealed record LayerReport(string Name, string Op, long[] Input, long[] Output, long? Parameters);
