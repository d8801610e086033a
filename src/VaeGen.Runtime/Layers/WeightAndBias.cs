using VaeGen.Runtime.Init;
using VaeGen.Runtime.Tensors;

namespace VaeGen.Runtime.Layers;

/// <summary>
/// The weight and optional bias of a linear or convolution layer, in PyTorch's registration order
/// (weight, then bias), drawn from the seeded stream as the layer's <c>reset_parameters</c> draws them.
/// </summary>
internal readonly struct WeightAndBias
{
    /// <param name="weightShape">The weight's shape as PyTorch stores it.</param>
    /// <param name="biasLength">The bias length (output features or channels).</param>
    /// <param name="bias">Whether there is a bias.</param>
    /// <param name="rng">The initialisation stream, or null to leave zeros.</param>
    /// <param name="init">How the values are drawn from <paramref name="rng"/>.</param>
    public WeightAndBias(int[] weightShape, int biasLength, bool bias, Rng? rng, InitScheme init)
    {
        Weight = new Parameter("weight", weightShape);
        Bias = bias ? new Parameter("bias", biasLength) : null;
        All = Bias is null ? [Weight] : [Weight, Bias];
        if (rng is not null)
        {
            TorchInit.Initialize(Weight, Bias, init, rng);
        }
    }

    public Parameter Weight { get; }

    public Parameter? Bias { get; }

    /// <summary>The parameters in registration order.</summary>
    public Parameter[] All { get; }
}
