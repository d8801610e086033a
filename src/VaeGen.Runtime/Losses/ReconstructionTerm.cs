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

    /// <summary>
    /// Gaussian negative log-likelihood in nats (spec 1.1): (xhat - x)^2 / (2 sigma^2) + ln sigma + 0.5 ln(2 pi),
    /// sigma fixed or learned (<see cref="VaeLoss.LogSigma"/>).
    /// </summary>
    Gaussian,
}
