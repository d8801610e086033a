namespace VaeGen.Runtime.Losses;

/// <summary>The per-element reconstruction term of <see cref="VaeLoss"/>.</summary>
public enum ReconstructionTerm
{
    /// <summary>Squared error (xhat - x)^2.</summary>
    Mse,

    /// <summary>Binary cross-entropy on probabilities, each log clamped at -100 as PyTorch does.</summary>
    Bce,

    /// <summary>Binary cross-entropy on logits: max(l, 0) - l x + log(1 + e^-|l|).</summary>
    BceLogits,
}
