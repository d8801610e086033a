using System.Collections.Generic;
using VaeGen.Spec.Collections;
using VaeGen.Spec.Model;

namespace VaeGen.Spec.Shapes
{
    /// <summary>A spec with every shape inferred: what the emitters and the tool's tables are made from.</summary>
    /// <param name="Spec">The spec.</param>
    /// <param name="InputShape">The per-sample input, channels first.</param>
    /// <param name="Encoder">The encoder's modules.</param>
    /// <param name="Mu">The fc_mu head.</param>
    /// <param name="LogVar">The fc_logvar head.</param>
    /// <param name="Decoder">The decoder's modules.</param>
    public sealed record ModelPlan(
        VaeSpec Spec,
        TensorShape InputShape,
        EquatableArray<LayerPlan> Encoder,
        LayerPlan Mu,
        LayerPlan LogVar,
        EquatableArray<LayerPlan> Decoder)
    {
        /// <summary>The flat size F the encoder ends with (the heads' in_features, less the K one-hot features of a condition).</summary>
        public long EncodedFeatures => Mu.InFeatures - Spec.Classes;

        /// <summary>
        /// Every module in the order PyTorch's state_dict lists them: encoder, fc_mu, fc_logvar, decoder; a residual
        /// block's body rows come before the block's own row (the sum), as the data flows.
        /// </summary>
        public IEnumerable<LayerPlan> AllLayers
        {
            get
            {
                foreach (var layer in Flatten(Encoder))
                {
                    yield return layer;
                }

                yield return Mu;
                yield return LogVar;
                foreach (var layer in Flatten(Decoder))
                {
                    yield return layer;
                }
            }
        }

        /// <summary>The rows of a Sequential with every residual body's rows in place, before the block's row.</summary>
        public static IEnumerable<LayerPlan> Flatten(IEnumerable<LayerPlan> rows)
        {
            foreach (var row in rows)
            {
                foreach (var inner in Flatten(row.Body))
                {
                    yield return inner;
                }

                yield return row;
            }
        }

        /// <summary>Every parameter and buffer in state_dict order.</summary>
        public IEnumerable<ParameterTensor> AllTensors
        {
            get
            {
                foreach (var layer in AllLayers)
                {
                    foreach (var tensor in layer.Tensors)
                    {
                        yield return tensor;
                    }
                }
            }
        }

        /// <summary>The trainable scalar <c>log_sigma</c> [1] that <c>sigma: learned</c> adds to the model (spec 1.1), outside every layer.</summary>
        public const long LearnedSigmaParameters = 1;

        /// <summary>Total trainable parameters: every layer's, and <c>log_sigma</c> with <c>sigma: learned</c> (PyTorch's sum(p.numel())).</summary>
        public long TotalParameters
        {
            get
            {
                long total = Spec.SigmaLearned ? LearnedSigmaParameters : 0;
                foreach (var layer in AllLayers)
                {
                    total = checked(total + layer.ParameterCount);
                }

                return total;
            }
        }
    }
}
