namespace VaeGen.Runtime.Losses;

/// <summary>How a sample's reconstruction terms are reduced over C, H, W.</summary>
public enum Reduction
{
    /// <summary>Sum over elements (the VAE default: a proper log-likelihood).</summary>
    Sum,

    /// <summary>Mean over elements.</summary>
    Mean,
}
