namespace VaeGen.Spec.Shapes
{
    /// <summary>The part of the VAE a module belongs to.</summary>
    public enum ModelStage
    {
        /// <summary>The encoder Sequential.</summary>
        Encoder,

        /// <summary>The fc_mu and fc_logvar heads.</summary>
        Heads,

        /// <summary>The decoder Sequential.</summary>
        Decoder,
    }
}
