using VaeGen.Spec.Collections;
using VaeGen.Spec.Model;

namespace VaeGen.Spec.Shapes
{
    /// <summary>One row of a model's layer table: a module with its shapes and parameters.</summary>
    /// <param name="Stage">Encoder, heads or decoder.</param>
    /// <param name="ModuleName">PyTorch's module path: <c>encoder.0</c>, <c>fc_mu</c>, <c>decoder.3</c>.</param>
    /// <param name="Layer">The layer (for the heads, a linear layer).</param>
    /// <param name="Description">A one-line description with the inferred sizes, e.g. <c>conv2d 3->32, kernel 3, stride 1, padding 0</c>.</param>
    /// <param name="Input">The per-sample shape coming in.</param>
    /// <param name="Output">The per-sample shape going out.</param>
    /// <param name="InFeatures">Channels (conv, batchnorm 2-d) or features (linear, batchnorm 1-d) the layer consumes; 0 where none.</param>
    /// <param name="Tensors">The parameters and buffers the module registers, state_dict names.</param>
    public sealed record LayerPlan(
        ModelStage Stage,
        string ModuleName,
        LayerSpec Layer,
        string Description,
        TensorShape Input,
        TensorShape Output,
        long InFeatures,
        EquatableArray<ParameterTensor> Tensors)
    {
        /// <summary>
        /// For a residual block (spec 1.1), the rows of its body, named <c>{ModuleName}.body.{j}</c>; the block's own row
        /// is the sum x + body(x) and has no tensors. Empty for every other layer.
        /// </summary>
        public EquatableArray<LayerPlan> Body { get; init; }

        /// <summary>Trainable parameter count (buffers excluded).</summary>
        public long ParameterCount
        {
            get
            {
                long count = 0;
                foreach (var tensor in Tensors)
                {
                    if (!tensor.IsBuffer)
                    {
                        count = checked(count + tensor.ElementCount);
                    }
                }

                return count;
            }
        }
    }
}
