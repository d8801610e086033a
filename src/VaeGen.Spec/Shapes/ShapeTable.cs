using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace VaeGen.Spec.Shapes
{
    /// <summary>The per-layer table (layer, op, output shape, parameters) in the style of the seed walkthrough and torchinfo.</summary>
    public static class ShapeTable
    {
        /// <summary>The table as aligned text lines: a header, the input, every module (and z after the heads), and the total.</summary>
        public static IReadOnlyList<string> Lines(ModelPlan plan)
        {
            var rows = new List<string[]> { new[] { "layer", "op", "output", "params" }, new[] { "input", string.Empty, plan.InputShape.ToString(), string.Empty } };
            foreach (var layer in plan.AllLayers)
            {
                if (layer.ModuleName == "fc_mu" && ConcatRow(plan, "h") is { } heads)
                {
                    rows.Add(heads);
                }

                rows.Add(new[] { layer.ModuleName, layer.Description, layer.Output.ToString(), Count(layer.ParameterCount) });
                if (layer.ModuleName == "fc_logvar")
                {
                    rows.Add(new[] { "z", "mu + exp(0.5 * logvar) * eps", layer.Output.ToString(), string.Empty });
                    if (ConcatRow(plan, "z") is { } decoder)
                    {
                        rows.Add(decoder);
                    }
                }
            }

            if (LogSigmaRow(plan) is { } logSigma)
            {
                rows.Add(logSigma);
            }

            rows.Add(new[] { "total", string.Empty, string.Empty, Count(plan.TotalParameters) });
            int[] widths = Enumerable.Range(0, 4).Select(c => rows.Max(r => r[c].Length)).ToArray();
            return rows.Select(r =>
                (r[0].PadRight(widths[0]) + "  " + r[1].PadRight(widths[1]) + "  " + r[2].PadRight(widths[2]) + "  " + r[3].PadLeft(widths[3])).TrimEnd()).ToList();
        }

        /// <summary>
        /// The row of a conditional VAE's label input (spec 1.1 <c>condition</c>) that the heads (<paramref name="what"/> "h") or the decoder
        /// ("z") read: layer, op, output, params; null without a condition.
        /// </summary>
        public static string[]? ConcatRow(ModelPlan plan, string what)
        {
            long classes = plan.Spec.Classes;
            if (classes == 0)
            {
                return null;
            }

            long features = what == "h" ? plan.EncodedFeatures : plan.Spec.Latent;
            return new[] { "concat", "concat(" + what + ", one_hot(y, " + classes + "))", TensorShape.Flat(features + classes).ToString(), string.Empty };
        }

        /// <summary>
        /// The row of <c>sigma: learned</c>'s trainable scalar (spec 1.1), which belongs to the model rather than to a layer:
        /// layer, op, output, params; null when sigma is not learned.
        /// </summary>
        public static string[]? LogSigmaRow(ModelPlan plan) =>
            plan.Spec.SigmaLearned
                ? new[] { "log_sigma", "learned sigma: ln sigma = -6 + softplus(log_sigma + 6)", TensorShape.Flat(1).ToString(), Count(ModelPlan.LearnedSigmaParameters) }
                : null;

        private static string Count(long value) => value == 0 ? "0" : value.ToString("N0", CultureInfo.InvariantCulture);
    }
}
