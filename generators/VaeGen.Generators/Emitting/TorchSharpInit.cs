using System.Collections.Generic;
using System.Linq;
using VaeGen.Spec.Model;
using VaeGen.Spec.Shapes;
using static VaeGen.Generators.Emitting.TorchSharpNames;

namespace VaeGen.Generators.Emitting
{
    /// <summary>
    /// The spec's <c>init:</c> (spec 1.1) in a TorchSharp class: a layer whose scheme is not PyTorch's
    /// default is made as usual (TorchSharp draws its default) and then passed through one private
    /// helper per scheme, which redraws the weight with <c>torch.nn.init</c> and zeroes the bias, as
    /// the PyTorch reference does after building the module. A v1 spec gets neither wrapper nor helper.
    /// </summary>
    internal static class TorchSharpInit
    {
        /// <summary>The factory call of a row, wrapped in its scheme's helper when it has one.</summary>
        public static string Wrap(LayerPlan row, string factory)
        {
            var scheme = InitDescription.Of(row);
            return scheme == InitScheme.Pytorch ? factory : HelperName(scheme) + "(" + factory + ")";
        }

        /// <summary>One helper per scheme the plan uses, in the enum's order.</summary>
        public static void WriteHelpers(SourceWriter w, ModelPlan plan)
        {
            var used = new HashSet<InitScheme>(plan.AllLayers.Select(InitDescription.Of));
            foreach (var scheme in new[] { InitScheme.XavierUniform, InitScheme.XavierNormal, InitScheme.KaimingUniform, InitScheme.KaimingNormal })
            {
                if (used.Contains(scheme))
                {
                    WriteHelper(w, scheme);
                }
            }
        }

        private static string HelperName(InitScheme scheme) => "Init" + scheme;

        private static void WriteHelper(SourceWriter w, InitScheme scheme)
        {
            string init = Nn + ".init";
            string weight = scheme switch
            {
                InitScheme.XavierUniform => init + ".xavier_uniform_(parameter, gain: 1.0);",
                InitScheme.KaimingUniform => init + ".kaiming_uniform_(parameter, a: 0, mode: " + init + ".FanInOut.FanIn, nonlinearity: " + init + ".NonlinearityType.ReLU);",
                InitScheme.KaimingNormal => init + ".kaiming_normal_(parameter, a: 0, mode: " + init + ".FanInOut.FanIn, nonlinearity: " + init + ".NonlinearityType.ReLU);",

                // TorchSharp's xavier_normal_ calls the native xavier_uniform_, so the normal draw is spelled out: std = gain * sqrt(2 / (fan_in + fan_out)).
                _ => init + ".normal_(parameter, 0.0, global::System.Math.Sqrt(2.0 / (fanIn + fanOut)));",
            };
            string what = scheme switch
            {
                InitScheme.XavierUniform => "xavier_uniform_(weight, gain=1)",
                InitScheme.XavierNormal => "xavier_normal_(weight, gain=1)",
                InitScheme.KaimingUniform => "kaiming_uniform_(weight, a=0, mode='fan_in', nonlinearity='relu')",
                _ => "kaiming_normal_(weight, a=0, mode='fan_in', nonlinearity='relu')",
            };
            w.Doc("<summary>The spec's init for one layer: torch.nn.init." + what + ", bias 0.</summary>");
            w.Line("private static TModule " + HelperName(scheme) + "<TModule>(TModule module)");
            w.Line("    where TModule : " + Nn + ".Module");
            w.Open();
            w.Line("using (" + Torch + ".no_grad())");
            w.Open();
            w.Line("foreach (var (name, parameter) in module.named_parameters())");
            w.Open();
            w.Line("if (name == \"weight\")");
            w.Open();
            if (scheme == InitScheme.XavierNormal)
            {
                w.Line("var (fanIn, fanOut) = " + init + ".CalculateFanInAndFanOut(parameter);");
            }

            w.Line(weight);
            w.Close();
            w.Line("else");
            w.Open();
            w.Line(init + ".zeros_(parameter);");
            w.Close();
            w.Close();
            w.Close();
            w.Line();
            w.Line("return module;");
            w.Close();
            w.Line();
        }
    }
}
