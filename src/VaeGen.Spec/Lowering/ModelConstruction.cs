using VaeGen.Spec.Collections;

namespace VaeGen.Spec.Lowering
{
    /// <summary>
    /// A checked spec as VaeGen.Runtime constructions: the <c>VaeModel</c> constructor's arguments
    /// in the order they run, which is the order of random draws (encoder, fc_mu, fc_logvar,
    /// decoder, PyTorch's registration order), then the noise stream.
    /// </summary>
    /// <param name="Config">The <c>VaeConfig</c>.</param>
    /// <param name="Encoder">The encoder's layers.</param>
    /// <param name="Mu">fc_mu.</param>
    /// <param name="LogVar">fc_logvar.</param>
    /// <param name="Decoder">The decoder's layers.</param>
    /// <param name="Noise">How the model's noise (eps in training, z in Sample) takes the stream: a fork after every weight is drawn.</param>
    public sealed record ModelConstruction(
        ConfigConstruction Config,
        EquatableArray<LayerConstruction> Encoder,
        LayerConstruction Mu,
        LayerConstruction LogVar,
        EquatableArray<LayerConstruction> Decoder,
        RandomUse Noise);

    /// <summary>The arguments of <c>VaeGen.Runtime.Models.VaeConfig</c>, with the spec's choices mapped to the runtime's enums.</summary>
    /// <param name="Name">The model's name.</param>
    /// <param name="InputShape">The per-sample input shape in the declared layout.</param>
    /// <param name="Layout">A <c>Models.InputLayout</c> member.</param>
    /// <param name="Scale">What the model divides its input by.</param>
    /// <param name="LatentDim">The latent size.</param>
    /// <param name="Reconstruction">A <c>Losses.ReconstructionTerm</c> member.</param>
    /// <param name="Reduction">A <c>Losses.Reduction</c> member.</param>
    /// <param name="Beta">The KL weight.</param>
    public sealed record ConfigConstruction(
        string Name,
        EquatableArray<int> InputShape,
        RuntimeEnumValue Layout,
        double Scale,
        int LatentDim,
        RuntimeEnumValue Reconstruction,
        RuntimeEnumValue Reduction,
        double Beta)
    {
        /// <summary>The fixed sigma of a <c>Gaussian</c> term (spec 1.1); 1.0 otherwise.</summary>
        public double Sigma { get; init; } = 1.0;

        /// <summary>Whether the Gaussian term's sigma is the trainable <c>log_sigma</c> (spec 1.1 <c>sigma: learned</c>).</summary>
        public bool LearnedSigma { get; init; }

        /// <summary>The KL capacity schedule (spec 1.1 <c>kl: { capacity: ... }</c>), or null.</summary>
        public Model.KlCapacity? KlCapacity { get; init; }

        /// <summary>N of <c>kl: { warmup: N }</c>; 0 when off (a warm-up of 0 weighs by beta throughout, as no schedule).</summary>
        public long KlWarmup { get; init; }

        /// <summary>K of <c>condition: { classes: K }</c> (spec 1.1): the model takes a label in 0..K-1 per sample; 0 without a condition.</summary>
        public int Classes { get; init; }
    }
}
