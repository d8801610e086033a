using System;
using VaeGen.Runtime.Tensors;

namespace VaeGen.Runtime.Losses;

/// <summary>
/// The VAE objective, per sample then averaged over the batch:
/// loss = mean_i(recon_i + beta * kl_i), with recon_i the chosen term summed (or averaged) over
/// the sample's elements and kl_i = 0.5 * sum_k(exp(logvar_k) + mu_k^2 - 1 - logvar_k).
/// </summary>
/// <remarks>
/// Forward returns the loss (accumulated in double) and Backward fills gradients w.r.t. the
/// reconstruction (probabilities, values or logits), mu and logvar in buffers owned by this object.
/// </remarks>
public sealed class VaeLoss
{
    // PyTorch's binary_cross_entropy_backward divides by max((1 - p) p, EPSILON).
    private const double BceGradEpsilon = 1e-12;

    private Tensor? _reconstruction;
    private Tensor? _target;
    private Tensor? _mu;
    private Tensor? _logVar;
    private Tensor? _gradReconstruction;
    private Tensor? _gradMu;
    private Tensor? _gradLogVar;

    /// <summary>Creates the loss.</summary>
    /// <param name="term">The reconstruction term.</param>
    /// <param name="reduction">How each sample's reconstruction terms are reduced.</param>
    /// <param name="beta">Weight of the KL term.</param>
    public VaeLoss(ReconstructionTerm term, Reduction reduction = Reduction.Sum, double beta = 1.0)
    {
        Term = term;
        Reduction = reduction;
        Beta = beta;
    }

    /// <summary>The reconstruction term.</summary>
    public ReconstructionTerm Term { get; }

    /// <summary>The per-sample reduction.</summary>
    public Reduction Reduction { get; }

    /// <summary>The KL weight.</summary>
    public double Beta { get; set; }

    /// <summary>Batch mean of recon_i from the last Forward.</summary>
    public double Reconstruction { get; private set; }

    /// <summary>Batch mean of kl_i from the last Forward (before beta).</summary>
    public double Kl { get; private set; }

    /// <summary>d loss / d reconstruction after Backward.</summary>
    public Tensor GradReconstruction => _gradReconstruction ?? throw new InvalidOperationException("Call Backward first.");

    /// <summary>d loss / d mu after Backward.</summary>
    public Tensor GradMu => _gradMu ?? throw new InvalidOperationException("Call Backward first.");

    /// <summary>d loss / d logvar after Backward.</summary>
    public Tensor GradLogVar => _gradLogVar ?? throw new InvalidOperationException("Call Backward first.");

    /// <summary>Computes the loss.</summary>
    /// <param name="reconstruction">Decoder output [N, ...]: values (mse), probabilities (bce) or logits (bce_logits).</param>
    /// <param name="target">The data x, same shape.</param>
    /// <param name="mu">Posterior means [N, Z].</param>
    /// <param name="logVar">Posterior log-variances [N, Z].</param>
    /// <returns>mean_i(recon_i + beta kl_i).</returns>
    public double Forward(Tensor reconstruction, Tensor target, Tensor mu, Tensor logVar)
    {
        ArgumentNullException.ThrowIfNull(reconstruction);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(mu);
        ArgumentNullException.ThrowIfNull(logVar);
        if (!reconstruction.HasShape(target.Shape))
        {
            throw new ArgumentException($"Reconstruction {reconstruction.ShapeString()} and target {target.ShapeString()} differ in shape.");
        }

        if (!mu.HasShape(logVar.Shape) || mu.Rank != 2 || mu.Dim(0) != reconstruction.Dim(0))
        {
            throw new ArgumentException($"mu {mu.ShapeString()} and logvar {logVar.ShapeString()} must both be [N, Z] with N = {reconstruction.Dim(0)}.");
        }

        _reconstruction = reconstruction;
        _target = target;
        _mu = mu;
        _logVar = logVar;
        int n = reconstruction.Dim(0);
        int per = reconstruction.Length / n;
        int z = mu.Dim(1);
        float[] r = reconstruction.Data;
        float[] x = target.Data;
        double reconTotal = 0;
        double klTotal = 0;
        for (int i = 0; i < n; i++)
        {
            double sample = 0;
            int offset = i * per;
            for (int j = offset; j < offset + per; j++)
            {
                sample += ElementTerm(r[j], x[j]);
            }

            reconTotal += Reduction == Reduction.Mean ? sample / per : sample;

            double kl = 0;
            for (int k = i * z; k < (i + 1) * z; k++)
            {
                double m = mu.Data[k];
                double lv = logVar.Data[k];
                kl += Math.Exp(lv) + (m * m) - 1.0 - lv;
            }

            klTotal += 0.5 * kl;
        }

        Reconstruction = reconTotal / n;
        Kl = klTotal / n;
        return Reconstruction + (Beta * Kl);
    }

    /// <summary>Fills <see cref="GradReconstruction"/>, <see cref="GradMu"/> and <see cref="GradLogVar"/> for the last Forward.</summary>
    public void Backward()
    {
        Tensor recon = _reconstruction ?? throw new InvalidOperationException("VaeLoss.Backward called before Forward.");
        Tensor target = _target!;
        Tensor mu = _mu!;
        Tensor logVar = _logVar!;
        _gradReconstruction = Tensor.Reuse(_gradReconstruction, recon.Shape);
        _gradMu = Tensor.Reuse(_gradMu, mu.Shape);
        _gradLogVar = Tensor.Reuse(_gradLogVar, logVar.Shape);
        int n = recon.Dim(0);
        int per = recon.Length / n;
        double scale = 1.0 / n / (Reduction == Reduction.Mean ? per : 1);
        float[] r = recon.Data;
        float[] x = target.Data;
        float[] g = _gradReconstruction.Data;
        for (int j = 0; j < r.Length; j++)
        {
            g[j] = (float)(scale * ElementGrad(r[j], x[j]));
        }

        double klScale = Beta / n;
        for (int k = 0; k < mu.Length; k++)
        {
            _gradMu.Data[k] = (float)(klScale * mu.Data[k]);
            _gradLogVar.Data[k] = (float)(klScale * 0.5 * (Math.Exp(logVar.Data[k]) - 1.0));
        }
    }

    private double ElementTerm(double r, double x)
    {
        switch (Term)
        {
            case ReconstructionTerm.Mse:
                double d = r - x;
                return d * d;
            case ReconstructionTerm.Bce:
                double logP = Math.Max(Math.Log(r), -100.0);
                double log1mP = Math.Max(Math.Log(1.0 - r), -100.0);
                return -((x * logP) + ((1.0 - x) * log1mP));
            default:
                return Math.Max(r, 0.0) - (r * x) + Math.Log(1.0 + Math.Exp(-Math.Abs(r)));
        }
    }

    private double ElementGrad(double r, double x)
    {
        switch (Term)
        {
            case ReconstructionTerm.Mse:
                return 2.0 * (r - x);
            case ReconstructionTerm.Bce:
                // As PyTorch: (p - x) / max(p (1 - p), eps), also where the log clamp is active.
                return (r - x) / Math.Max((1.0 - r) * r, BceGradEpsilon);
            default:
                // sigmoid(l) - x, with the sigmoid formed from e^-|l| so it cannot overflow.
                double e = Math.Exp(-Math.Abs(r));
                double sigmoid = r >= 0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
                return sigmoid - x;
        }
    }
}
