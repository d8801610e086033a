namespace VaeGen.Spec.Diagnostics
{
    /// <summary>The groups of diagnostic IDs: VAE1xxx syntax and schema, VAE2xxx shapes, VAE3xxx channel order and semantics, VAE9xxx internal.</summary>
    public enum RuleCategory
    {
        /// <summary>YAML that cannot be read (VAE10xx).</summary>
        Syntax,

        /// <summary>Keys, types and values against the v1 contract (VAE11xx).</summary>
        Schema,

        /// <summary>Tensor shapes (VAE2xxx).</summary>
        Shape,

        /// <summary>Channel order, loss and activation choices (VAE3xxx).</summary>
        Semantics,

        /// <summary>VaeGen itself: internal failures and what the chosen backend can generate (VAE9xxx).</summary>
        Internal,
    }
}
