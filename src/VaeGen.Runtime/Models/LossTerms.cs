namespace VaeGen.Runtime.Models;

/// <summary>The VAE loss of one batch: batch means of the per-sample terms.</summary>
/// <param name="Total">mean_i(recon_i + beta * kl_i), the value that is minimised.</param>
/// <param name="Reconstruction">mean_i(recon_i).</param>
/// <param name="Kl">mean_i(kl_i), before beta.</param>
public readonly record struct LossTerms(double Total, double Reconstruction, double Kl)
{
    /// <summary>Whether every term is a finite number (training should stop otherwise).</summary>
    public bool IsFinite => double.IsFinite(Total) && double.IsFinite(Reconstruction) && double.IsFinite(Kl);
}
