using System.Linq;
using VaeGen.Spec.Model;

namespace VaeGen.Spec.Shapes
{
    /// <summary>
    /// The arithmetic of one sample through a model: the multiply-adds of its linear and convolution layers, the
    /// work a FLOP rate is measured against (two FLOPs per multiply-add). Everything else (activations, pooling,
    /// batchnorm, the loss, Adam) is linear in the activations' size and left out, as FLOP counts usually do.
    /// </summary>
    /// <param name="ForwardMultiplyAdds">Multiply-adds of one forward pass (encode, heads, decode) per sample.</param>
    /// <param name="TrainingMultiplyAdds">
    /// Multiply-adds of one training pass per sample: the forward pass, each layer's weight gradient (as many as its
    /// forward) and each layer's input gradient (likewise), except the first encoder layer's, which no backend
    /// computes because its input is the data.
    /// </param>
    public sealed record ModelCost(long ForwardMultiplyAdds, long TrainingMultiplyAdds)
    {
        /// <summary>FLOPs of one forward pass per sample (2 per multiply-add).</summary>
        public long ForwardFlops => 2 * ForwardMultiplyAdds;

        /// <summary>FLOPs of one training pass per sample (2 per multiply-add).</summary>
        public long TrainingFlops => 2 * TrainingMultiplyAdds;

        /// <summary>Counts a planned model's arithmetic from its inferred shapes.</summary>
        /// <param name="plan">A model plan (a spec that passed the checker).</param>
        public static ModelCost Of(ModelPlan plan)
        {
            long forward = plan.AllLayers.Sum(MultiplyAdds);

            // Sequential skips the input gradient of its leading layers up to the first with parameters.
            LayerPlan? first = plan.Encoder.FirstOrDefault(layer => layer.ParameterCount > 0);
            long skipped = first is null || first.Body.Count > 0 ? 0 : MultiplyAdds(first);
            return new ModelCost(forward, (3 * forward) - skipped);
        }

        /// <summary>One sample's multiply-adds in a layer's forward pass; 0 for layers without a weight matrix.</summary>
        /// <param name="layer">A row of the plan.</param>
        public static long MultiplyAdds(LayerPlan layer)
        {
            long weights = layer.Tensors.Where(t => t.Name == layer.ModuleName + ".weight").Select(t => t.ElementCount).FirstOrDefault();
            switch (layer.Layer)
            {
                case LinearSpec _:
                    return weights;
                case Conv2dSpec _:
                    // Each of the out * area outputs sums in * kh * kw products: out * in * kh * kw * area.
                    return weights * Area(layer.Output);
                case ConvTranspose2dSpec _:
                    // The adjoint: each input position scatters through the whole [in, out, kh, kw] weight.
                    return weights * Area(layer.Input);
                default:
                    return 0;
            }
        }

        private static long Area(TensorShape image) => image.Dimensions[1] * image.Dimensions[2];
    }
}
