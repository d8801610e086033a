namespace VaeGen.Spec.Lowering
{
    /// <summary>
    /// How a construction uses the model's seeded random stream. Constructions run in their listed
    /// order, so the draws land in PyTorch's registration order and one seed gives the same weights
    /// in a generated class and in a model the tool builds.
    /// </summary>
    public enum RandomUse
    {
        /// <summary>Takes nothing from the stream.</summary>
        None,

        /// <summary>Draws its initial parameters from the stream itself (<c>rng</c>).</summary>
        Draws,

        /// <summary>Takes a fork of the stream (<c>rng.Fork()</c>): one draw now, then its own stream, so how much it draws later never shifts the others.</summary>
        Forks,
    }
}
