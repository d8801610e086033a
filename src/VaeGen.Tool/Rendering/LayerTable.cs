using System;
using System.Collections.Generic;
using System.Globalization;
using Spectre.Console;
using VaeGen.Spec.Model;
using VaeGen.Spec.Shapes;

namespace VaeGen.Tool.Rendering;

/// <summary>
/// The per-layer table of <c>vaegen check</c>, in the spirit of Keras' summary() and torchinfo:
/// module name, operation, output shape per sample (channels first) and parameter count, with the
/// input first, z after the heads and the total last. For a spec that fails at a layer, the rows
/// stop at that layer, which is marked.
/// </summary>
internal static class LayerTable
{
    private const string TooMany = "> 9.2e18";

    /// <param name="rows">The rows to show, in order.</param>
    /// <param name="failing">The index of the failing row in <paramref name="rows"/>, or -1 when the spec is valid.</param>
    /// <param name="input">The input shape, channels first.</param>
    /// <param name="plan">The whole plan when the spec is valid (it shows a conditional VAE's label concatenations), else null.</param>
    public static Table Build(IReadOnlyList<LayerPlan> rows, int failing, TensorShape input, ModelPlan? plan = null)
    {
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("layer")
            .AddColumn("op")
            .AddColumn("output")
            .AddColumn(new TableColumn("params").RightAligned());
        Row(table, "input", string.Empty, input.ToString(), string.Empty);
        long total = 0;
        int last = failing >= 0 ? failing : rows.Count - 1;
        for (int i = 0; i <= last; i++)
        {
            LayerPlan row = rows[i];
            if (i == failing)
            {
                table.AddRow(new Markup("[red]" + Markup.Escape(row.ModuleName) + "[/]"), new Markup("[red]" + Markup.Escape(row.Description) + "[/]"),
                    new Markup("[red bold]error[/]"), new Text(string.Empty));
                break;
            }

            long? parameters = ParameterCount(row);
            total = parameters is { } n && total >= 0 ? (n > long.MaxValue - total ? -1 : total + n) : -1;
            if (row.ModuleName == "fc_mu" && plan is not null && ShapeTable.ConcatRow(plan, "h") is { } heads)
            {
                Row(table, heads);
            }

            Row(table, row.ModuleName, row.Description, row.Output.ToString(), parameters is { } p ? Count(p) : TooMany);
            if (row.ModuleName == "fc_logvar")
            {
                Row(table, "z", "mu + exp(0.5 * logvar) * eps", row.Output.ToString(), string.Empty);
                if (plan is not null && ShapeTable.ConcatRow(plan, "z") is { } decoder)
                {
                    Row(table, decoder);
                }
            }
        }

        if (failing < 0 && plan is not null && ShapeTable.LogSigmaRow(plan) is { } logSigma)
        {
            Row(table, logSigma);
            total = total >= 0 ? total + ModelPlan.LearnedSigmaParameters : total;
        }

        if (failing < 0 && total >= 0)
        {
            table.AddRow(new Markup("[bold]total[/]"), new Text(string.Empty), new Text(string.Empty), new Markup("[bold]" + Count(total) + "[/]"));
            table.Caption(Count(total) + " trainable parameters, " + MiB(total) + " as float32");
        }

        return table;
    }

    /// <summary>
    /// The row's trainable parameter count, or null when it does not fit in 64 bits: the checker reports
    /// such a layer (say a kernel of 3,000,000,000) as an error, but its row is still shown up to it.
    /// </summary>
    public static long? ParameterCount(LayerPlan row)
    {
        try
        {
            return row.ParameterCount;
        }
        catch (OverflowException)
        {
            return null;
        }
    }

    /// <summary>One line about the spec as a whole: class, input, latent size and loss.</summary>
    public static string Headline(string path, VaeSpec spec)
    {
        var input = spec.Input;
        string range = "in [" + Number(input.RangeMin) + ", " + Number(input.RangeMax) + "]" + (input.Scale == 1 ? string.Empty : " / " + Number(input.Scale));
        string reconstruction = spec.Reconstruction switch
        {
            ReconstructionKind.BceLogits => "bce_logits",
            ReconstructionKind.Bce => "bce",
            ReconstructionKind.Gaussian => "gaussian, sigma " + (spec.SigmaLearned ? "learned" : Number(spec.Sigma)),
            _ => "mse",
        };
        return path + ": " + (spec.Namespace is null ? spec.Name : spec.Namespace + "." + spec.Name) + ", input " + TensorShape.Format(input.Shape) + " " +
               (input.Layout == InputLayout.Nhwc ? "nhwc" : "nchw") + " " + range + ", latent " + spec.Latent + ", " + reconstruction + " (" +
               (spec.Reduction == ReconstructionReduction.Sum ? "sum" : "mean") + "), " +
               (spec.KlCapacity is { } capacity
                   ? "kl capacity " + Number(capacity.Max) + " over " + capacity.Steps + " steps, gamma " + Number(capacity.Gamma)
                   : "beta " + Number(spec.Beta) + (spec.KlWarmup > 0 ? ", kl warmup " + spec.KlWarmup + " steps" : string.Empty)) +
               (spec.Init == InitScheme.Pytorch ? string.Empty : ", init " + InitSchemeNames.ToKeyword(spec.Init)) +
               (spec.Classes == 0 ? string.Empty : ", conditional on " + spec.Classes + " classes");
    }

    /// <summary>A row of plain text: shapes like [1, 28, 28] would otherwise be read as Spectre markup.</summary>
    private static void Row(Table table, params string[] cells) => table.AddRow(Array.ConvertAll(cells, c => (Spectre.Console.Rendering.IRenderable)new Text(c)));

    public static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string MiB(long parameters) => (parameters * 4.0 / (1 << 20)).ToString(parameters * 4 >= 10 << 20 ? "F1" : "F2", CultureInfo.InvariantCulture) + " MiB";

    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
