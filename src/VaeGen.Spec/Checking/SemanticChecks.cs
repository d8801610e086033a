using System.Globalization;
using VaeGen.Spec.Diagnostics;
using VaeGen.Spec.Model;
using VaeGen.Spec.Parsing;

namespace VaeGen.Spec.Checking
{
    /// <summary>
    /// The mistakes that run without an exception but train the wrong thing: channel order, and the
    /// loss/activation mismatches of the seed 002 debug checklist.
    /// </summary>
    internal static class SemanticChecks
    {
        public static void Run(VaeSpec spec, SpecSyntax syntax, DiagnosticBag bag)
        {
            CheckChannelOrder(spec, syntax, bag);
            CheckReconstruction(spec, syntax, bag);
            if (spec.Beta == 0)
            {
                bag.Report(DiagnosticRules.BetaZero, syntax.NodeOrRoot("beta"), "beta",
                    "beta: 0 removes the KL term, so this trains a plain autoencoder whose latent space is not regularised and whose samples from N(0, I) are meaningless; use beta > 0 (1.0 is the standard VAE)");
            }
        }

        private static void CheckChannelOrder(VaeSpec spec, SpecSyntax syntax, DiagnosticBag bag)
        {
            var shape = spec.Input.Shape;
            if (spec.Input.Layout == InputLayout.Nchw && IsChannelCount(shape[2]) && shape[0] > 4 && shape[1] > 4 && !IsChannelCount(shape[0]))
            {
                bag.Report(DiagnosticRules.LooksChannelsLast, syntax.NodeOrRoot("input.shape"), "input.shape",
                    "shape " + Shape(shape) + " looks channels-last ([H, W, C] with C = " + N(shape[2]) + "), but layout is nchw" +
                    (syntax.Values.ContainsKey("input.layout") ? string.Empty : " (the default)") + ", so the model would read " + N(shape[0]) +
                    " channels of " + N(shape[1]) + "x" + N(shape[2]) + " pixels. If the data arrives as (B, H, W, C), write 'layout: nhwc'; if it is channels-first, write the shape as [" +
                    N(shape[2]) + ", " + N(shape[0]) + ", " + N(shape[1]) + "]");
            }
            else if (spec.Input.Layout == InputLayout.Nhwc && IsChannelCount(shape[0]) && shape[1] > 4 && shape[2] > 4 && !IsChannelCount(shape[2]))
            {
                bag.Report(DiagnosticRules.LooksChannelsFirst, syntax.NodeOrRoot("input.shape"), "input.shape",
                    "shape " + Shape(shape) + " looks channels-first ([C, H, W] with C = " + N(shape[0]) + "), but layout is nhwc, so the model would read " +
                    N(shape[2]) + " channels of " + N(shape[0]) + "x" + N(shape[1]) + " pixels. If the data is channels-first, write 'layout: nchw'; if it arrives as (B, H, W, C), write the shape as [" +
                    N(shape[1]) + ", " + N(shape[2]) + ", " + N(shape[0]) + "]");
            }

        }

        private static void CheckReconstruction(VaeSpec spec, SpecSyntax syntax, DiagnosticBag bag)
        {
            int last = spec.Decoder.Count - 1;
            bool endsInSigmoid = last >= 0 && spec.Decoder[last] is ActivationSpec { Kind: ActivationKind.Sigmoid };
            var input = spec.Input;
            bool unitRange = input.EffectiveMin >= 0 && input.EffectiveMax <= 1;
            string rangePath = syntax.Values.ContainsKey("input.range") ? "input.range" : syntax.Values.ContainsKey("input.scale") ? "input.scale" : "reconstruction";
            string effective = "[" + Number(input.EffectiveMin) + ", " + Number(input.EffectiveMax) + "]";
            string rangeText = "range [" + Number(input.RangeMin) + ", " + Number(input.RangeMax) + "] / scale " + Number(input.Scale) + " = " + effective;
            string scaleFix = input.RangeMin >= 0 && input.RangeMax > 1
                ? "write 'scale: " + Number(input.RangeMax) + "' under input so the model sees [" + Number(input.RangeMin / input.RangeMax) + ", 1]"
                : "set input.scale so that range / scale lies within [0, 1]";

            switch (spec.Reconstruction)
            {
                case ReconstructionKind.BceLogits when endsInSigmoid:
                    bag.Report(DiagnosticRules.SigmoidTwice, syntax.Decoder[last].KindNode, syntax.Decoder[last].Path,
                        "reconstruction: bce_logits treats the decoder's output as logits and applies the sigmoid itself, but the decoder already ends in sigmoid, so the sigmoid is applied twice and the reconstruction can never go below 0.27 or above 0.73; remove this sigmoid (recommended, numerically stable) or use reconstruction: bce");
                    break;
                case ReconstructionKind.Bce when !endsInSigmoid:
                    bag.Report(DiagnosticRules.BceWithoutSigmoid, syntax.NodeOrRoot("reconstruction"), "reconstruction",
                        "reconstruction: bce needs probabilities in [0, 1], but the decoder ends in " + (last >= 0 ? spec.Decoder[last].Keyword : "nothing") +
                        ", not sigmoid; PyTorch's binary_cross_entropy would throw \"all elements of input should be between 0 and 1\". Use reconstruction: bce_logits (numerically stable), or end the decoder with '- sigmoid'");
                    break;
            }

            if ((spec.Reconstruction == ReconstructionKind.Bce || spec.Reconstruction == ReconstructionKind.BceLogits) && !unitRange)
            {
                bag.Report(DiagnosticRules.BceTargetRange, syntax.NodeOrRoot(rangePath), rangePath,
                    "reconstruction: " + (spec.Reconstruction == ReconstructionKind.Bce ? "bce" : "bce_logits") + " treats each input value as a probability, but " + rangeText +
                    " lies outside [0, 1], so the loss is meaningless (and can go negative); " + scaleFix + ", or use reconstruction: mse");
            }
            else if ((spec.Reconstruction == ReconstructionKind.Mse || spec.Reconstruction == ReconstructionKind.Gaussian) && endsInSigmoid && !unitRange)
            {
                bag.Report(DiagnosticRules.SigmoidRange, syntax.NodeOrRoot(rangePath), rangePath,
                    "the decoder ends in sigmoid, so reconstructions lie in [0, 1], but the loss compares them with data in " + rangeText +
                    " that they can never reach; " + scaleFix + ", or remove the final sigmoid");
            }
        }

        private static bool IsChannelCount(long value) => value == 1 || value == 3 || value == 4;

        private static string Shape(Collections.EquatableArray<long> shape) => Shapes.TensorShape.Format(shape);

        private static string N(long value) => value.ToString(CultureInfo.InvariantCulture);

        private static string Number(double value) => value.ToString("0.####", CultureInfo.InvariantCulture);
    }
}
