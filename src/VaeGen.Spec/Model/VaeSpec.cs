using VaeGen.Spec.Collections;

namespace VaeGen.Spec.Model
{
    /// <summary>
    /// A checked spec as immutable, value-equatable data with every default filled in. It holds no
    /// source positions, so editing a comment in the YAML leaves it equal and generated code cached.
    /// </summary>
    /// <param name="Name">The class name.</param>
    /// <param name="Namespace">The namespace written in the spec, or null for the project's default.</param>
    /// <param name="Backend">The backend written in the spec, or null to follow the build.</param>
    /// <param name="Input">The input section.</param>
    /// <param name="Latent">The latent dimension L.</param>
    /// <param name="Beta">The KL weight.</param>
    /// <param name="Reconstruction">The reconstruction term.</param>
    /// <param name="Reduction">The per-sample reduction of the reconstruction term.</param>
    /// <param name="Encoder">Encoder layers, with <c>activation:</c> shorthands expanded as PyTorch's Sequential indexes them.</param>
    /// <param name="Decoder">Decoder layers, expanded likewise.</param>
    public sealed record VaeSpec(
        string Name,
        string? Namespace,
        ModelBackend? Backend,
        InputSpec Input,
        long Latent,
        double Beta,
        ReconstructionKind Reconstruction,
        ReconstructionReduction Reduction,
        EquatableArray<LayerSpec> Encoder,
        EquatableArray<LayerSpec> Decoder)
    {
        /// <summary>The namespace VaeGen uses when neither the spec nor the project names one.</summary>
        public const string FallbackNamespace = "VaeGen.Generated";

        /// <summary>The top-level <c>init:</c> (spec 1.1): the weight initialisation of every conv and linear layer that does not name its own, the heads included.</summary>
        public InitScheme Init { get; init; }

        /// <summary>The fixed sigma of <c>reconstruction: gaussian</c> (spec 1.1, <c>sigma:</c>); 1.0 unless written, and unused when <see cref="SigmaLearned"/>.</summary>
        public double Sigma { get; init; } = 1.0;

        /// <summary>Spec 1.1 <c>kl: { warmup: N }</c>: the KL weight at step t is beta * min(1, t / N); 0 when off.</summary>
        public long KlWarmup { get; init; }

        /// <summary>Spec 1.1 <c>kl: { capacity: ... }</c> (Burgess et al. 2018), or null.</summary>
        public KlCapacity? KlCapacity { get; init; }

        /// <summary><c>sigma: learned</c>: one trainable scalar <c>log_sigma</c> [1], initially 0, with ln sigma = -6 + softplus(log_sigma + 6).</summary>
        public bool SigmaLearned { get; init; }

        /// <summary>
        /// K of spec 1.1 <c>condition: { classes: K }</c> (a conditional VAE, K >= 2), or 0 without a condition. The heads read
        /// concat(h, one_hot(y)) and the decoder concat(z, one_hot(y)), so both grow by K inputs; parameter names are unchanged.
        /// </summary>
        public long Classes { get; init; }
    }

    /// <summary>
    /// The KL capacity schedule: with C_t = Max * min(1, t / Steps), loss = mean_i(recon_i) + Gamma * |mean_i(kl_i) - C_t|.
    /// </summary>
    /// <param name="Max">C, the final capacity in nats (>= 0).</param>
    /// <param name="Steps">T, the steps over which the capacity grows (>= 1).</param>
    /// <param name="Gamma">g, the weight of the distance to the capacity (> 0).</param>
    public sealed record KlCapacity(double Max, long Steps, double Gamma);
}
