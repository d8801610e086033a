using System;
using System.Numerics;
using VaeGen.Runtime.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace VaeGen.Runtime.Losses;

/// <summary>
/// The VAE objective, per sample then averaged over the batch:
/// loss = mean_i(recon_i + beta * kl_i), with recon_i the chosen term summed (or averaged) over
/// the sample's elements and kl_i = 0.5 * sum_k(exp(logvar_k) + mu_k^2 - 1 - logvar_k).
/// </summary>
/// <remarks>
/// Forward returns the loss (formed and accumulated in double, vectorised) and Backward fills gradients w.r.t. the
/// reconstruction (probabilities, values or logits), mu and logvar in buffers owned by this object.
/// </remarks>
public sealed class VaeLoss
{
    // PyTorch's binary_cross_entropy_backward divides by max((1 - p) p, EPSILON).
    private const float BceGradEpsilon = 1e-12f;

    private Tensor? _reconstruction;
    private Tensor? _target;
    private Tensor? _mu;
    private Tensor? _logVar;
    private Tensor? _gradReconstruction;
    private Tensor? _gradMu;
    private Tensor? _gradLogVar;
    private float[] _scratch = Array.Empty<float>();
    private double[] _wide = Array.Empty<double>();
    private double[] _wide2 = Array.Empty<double>();
    private double[] _wide3 = Array.Empty<double>();

    // 0.5 ln(2 pi): the Gaussian's normalising constant per value.
    private static readonly double HalfLogTwoPi = 0.5 * Math.Log(2 * Math.PI);

    // The soft floor of a learned sigma: ln sigma = SigmaFloor + softplus(log_sigma - SigmaFloor), so sigma > e^-6.
    private const double SigmaFloor = -6.0;

    private double _logSigma;
    private double _inverseVariance = 1.0;
    private double _squaredErrors;

    /// <summary>Creates the loss.</summary>
    /// <param name="term">The reconstruction term.</param>
    /// <param name="reduction">How each sample's reconstruction terms are reduced.</param>
    /// <param name="beta">Weight of the KL term.</param>
    /// <param name="sigma">The Gaussian term's fixed sigma (> 0).</param>
    /// <param name="logSigma">The Gaussian term's learned <c>log_sigma</c> [1], or null for the fixed <paramref name="sigma"/>; Backward adds to its gradient.</param>
    /// <param name="kl">The KL schedule (spec 1.1 <c>kl:</c>), read at <see cref="Step"/>; null weighs the KL term by beta throughout.</param>
    public VaeLoss(ReconstructionTerm term, Reduction reduction = Reduction.Sum, double beta = 1.0, double sigma = 1.0, Parameter? logSigma = null, KlSchedule? kl = null)
    {
        Schedule = kl;
        if (!(sigma > 0) || double.IsInfinity(sigma))
        {
            throw new ArgumentOutOfRangeException(nameof(sigma), sigma, "Sigma must be a positive number.");
        }

        if (logSigma is not null && logSigma.Value.Length != 1)
        {
            throw new ArgumentException("log_sigma is a single value, shape [1].", nameof(logSigma));
        }

        Term = term;
        Reduction = reduction;
        Beta = beta;
        Sigma = sigma;
        LogSigma = logSigma;
    }

    /// <summary>The KL schedule, or null.</summary>
    public KlSchedule? Schedule { get; }

    /// <summary>t, the optimizer steps taken so far, at which the next Forward reads <see cref="Schedule"/>.</summary>
    public long Step { get; set; }

    /// <summary>d Total / d mean_i(kl_i) of the last Forward: beta, the warm-up's weight, or gamma * sign(mean kl - C_t).</summary>
    public double KlWeight { get; private set; } = 1.0;

    /// <summary>The Gaussian term's fixed sigma.</summary>
    public double Sigma { get; }

    /// <summary>The Gaussian term's learned <c>log_sigma</c> [1], or null when sigma is fixed.</summary>
    public Parameter? LogSigma { get; }

    /// <summary>
    /// ln sigma of the Gaussian term as the loss uses it now: ln of the fixed sigma, or for a learned one
    /// -6 + softplus(log_sigma + 6) (a soft floor at e^-6, as the sigma-VAE reference implementation has it).
    /// </summary>
    public double CurrentLogSigma => LogSigma is null ? Math.Log(Sigma) : SigmaFloor + Softplus(LogSigma.Value.Span[0] - SigmaFloor);

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
        EnsureScratch(per);
        float[] r = reconstruction.Data;
        float[] x = target.Data;
        _logSigma = CurrentLogSigma;
        _inverseVariance = Math.Exp(-2 * _logSigma);
        _squaredErrors = 0;
        double reconTotal = 0;
        double klTotal = 0;
        for (int i = 0; i < n; i++)
        {
            double sample = SampleTerm(r.AsSpan(i * per, per), x.AsSpan(i * per, per));
            reconTotal += Reduction == Reduction.Mean ? sample / per : sample;

            // Z is small (tens to a few hundred) and exp(logvar) - 1 is cancellation-prone, so
            // the KL term stays in double.
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
        if (Schedule is { IsCapacity: true } capacity)
        {
            // Burgess et al.: gamma * |KL - C_t|; the gradient's sign at KL = C_t is 0, as torch.abs's.
            double distance = Kl - capacity.CapacityAt(Step);
            KlWeight = capacity.Gamma * Math.Sign(distance);
            return Reconstruction + (capacity.Gamma * Math.Abs(distance));
        }

        KlWeight = Schedule is null ? Beta : Schedule.Weight(Beta, Step);
        return Reconstruction + (KlWeight * Kl);
    }

    /// <summary>
    /// recon_i of one sample, as <see cref="Forward"/> forms it (divided by the sample's size with
    /// <c>reduction: mean</c>), without the batch: what an importance-weighted bound needs for each of its
    /// thousands of decoded samples per image.
    /// </summary>
    /// <param name="reconstruction">One sample's decoder output.</param>
    /// <param name="target">The sample's data, as long.</param>
    public double SampleReconstruction(ReadOnlySpan<float> reconstruction, ReadOnlySpan<float> target)
    {
        if (reconstruction.Length != target.Length || reconstruction.IsEmpty)
        {
            throw new ArgumentException($"A sample's reconstruction ({reconstruction.Length} values) and target ({target.Length}) must be as long and not empty.");
        }

        EnsureScratch(reconstruction.Length);
        _logSigma = CurrentLogSigma;
        _inverseVariance = Math.Exp(-2 * _logSigma);
        double sample = SampleTerm(reconstruction, target);
        return Reduction == Reduction.Mean ? sample / reconstruction.Length : sample;
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
        EnsureScratch(per);
        float scale = (float)(1.0 / n / (Reduction == Reduction.Mean ? per : 1));
        ReadOnlySpan<float> r = recon.Span;
        ReadOnlySpan<float> x = target.Span;
        Span<float> g = _gradReconstruction.Span;

        // Whole-tensor float passes, as PyTorch computes these gradients in float32; each element
        // sees at most a few roundings, far inside the 1e-4 parity tolerance.
        switch (Term)
        {
            case ReconstructionTerm.Mse:
                TensorPrimitives.Subtract(r, x, g);
                TensorPrimitives.Multiply(g, 2f * scale, g);
                break;
            case ReconstructionTerm.Gaussian:
                TensorPrimitives.Subtract(r, x, g);
                TensorPrimitives.Multiply(g, (float)(scale * _inverseVariance), g);
                if (LogSigma is not null)
                {
                    // d recon_i / d ln sigma = sum over values of (1 - (x - xhat)^2 / sigma^2); d ln sigma / d log_sigma = sigmoid(log_sigma + 6).
                    double perLogSigma = (((double)recon.Length) - (_squaredErrors * _inverseVariance)) / n / (Reduction == Reduction.Mean ? per : 1);
                    double inner = LogSigma.Value.Span[0] - SigmaFloor;
                    LogSigma.Grad.Span[0] += (float)(perLogSigma * SoftplusSlope(inner));
                }

                break;
            case ReconstructionTerm.Bce:
                // As PyTorch: (p - x) / max(p (1 - p), eps), also where the log clamp is active.
                for (int offset = 0; offset < r.Length; offset += per)
                {
                    ReadOnlySpan<float> ri = r.Slice(offset, per);
                    Span<float> den = _scratch.AsSpan(0, per);
                    Span<float> gi = g.Slice(offset, per);
                    TensorPrimitives.Subtract(1f, ri, den);
                    TensorPrimitives.Multiply(den, ri, den);
                    TensorPrimitives.Max(den, BceGradEpsilon, den);
                    TensorPrimitives.Subtract(ri, x.Slice(offset, per), gi);
                    TensorPrimitives.Divide(gi, den, gi);
                    TensorPrimitives.Multiply(gi, scale, gi);
                }

                break;
            default:
                // sigmoid(l) - x; TensorPrimitives.Sigmoid saturates to 0 and 1 without NaN.
                TensorPrimitives.Sigmoid(r, g);
                TensorPrimitives.Subtract(g, x, g);
                TensorPrimitives.Multiply(g, scale, g);
                break;
        }

        double klScale = KlWeight / n;
        for (int k = 0; k < mu.Length; k++)
        {
            _gradMu.Data[k] = (float)(klScale * mu.Data[k]);
            _gradLogVar.Data[k] = (float)(klScale * 0.5 * (Math.Exp(logVar.Data[k]) - 1.0));
        }
    }

    /// <summary>
    /// One sample's reconstruction terms. The loss is formed and summed in double (vectorised), so
    /// it stays accurate enough for finite differences of 1e-4 on float inputs (LossTests).
    /// </summary>
    private double SampleTerm(ReadOnlySpan<float> r, ReadOnlySpan<float> x)
    {
        Span<double> a = _wide.AsSpan(0, r.Length);
        Span<double> b = _wide2.AsSpan(0, r.Length);
        Span<double> t = _wide3.AsSpan(0, r.Length);
        Widen(r, a);
        Widen(x, b);
        switch (Term)
        {
            case ReconstructionTerm.Mse:
                TensorPrimitives.Subtract(a, b, t);
                return TensorPrimitives.SumOfSquares<double>(t);
            case ReconstructionTerm.Gaussian:
            {
                TensorPrimitives.Subtract(a, b, t);
                double squared = TensorPrimitives.SumOfSquares<double>(t);
                _squaredErrors += squared;
                return (0.5 * squared * _inverseVariance) + (r.Length * (_logSigma + HalfLogTwoPi));
            }
            case ReconstructionTerm.Bce:
                // -(x log p + (1 - x) log(1 - p)) = -(l1 + x (l0 - l1)), logs clamped at -100 as PyTorch.
                TensorPrimitives.Subtract(1.0, a, t);
                TensorPrimitives.Log(t, t);
                TensorPrimitives.Max(t, -100.0, t);
                TensorPrimitives.Log(a, a);
                TensorPrimitives.Max(a, -100.0, a);
                TensorPrimitives.Subtract(a, t, a);
                TensorPrimitives.MultiplyAdd(b, a, t, a);
                return -TensorPrimitives.Sum<double>(a);
            default:
                // max(l, 0) - l x + log(1 + e^-|l|): the stable form, finite for any logit.
                TensorPrimitives.Abs(a, t);
                TensorPrimitives.Negate(t, t);
                TensorPrimitives.Exp(t, t);
                TensorPrimitives.Add(t, 1.0, t);
                TensorPrimitives.Log(t, t);
                TensorPrimitives.Multiply(a, b, b);
                TensorPrimitives.Subtract(t, b, t);
                TensorPrimitives.Max(a, 0.0, a);
                TensorPrimitives.Add(t, a, t);
                return TensorPrimitives.Sum<double>(t);
        }
    }

    // PyTorch's softplus (beta 1, threshold 20): x itself above the threshold, else log(1 + e^x).
    private static double Softplus(double x) => x > 20 ? x : Math.Log(1 + Math.Exp(x));

    private static double SoftplusSlope(double x) => x > 20 ? 1.0 : 1.0 / (1.0 + Math.Exp(-x));

    private static void Widen(ReadOnlySpan<float> source, Span<double> destination)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int w = Vector<float>.Count;
            int half = Vector<double>.Count;
            for (; i <= source.Length - w; i += w)
            {
                Vector.Widen(new Vector<float>(source.Slice(i)), out Vector<double> lo, out Vector<double> hi);
                lo.CopyTo(destination.Slice(i));
                hi.CopyTo(destination.Slice(i + half));
            }
        }

        for (; i < source.Length; i++)
        {
            destination[i] = source[i];
        }
    }

    private void EnsureScratch(int per)
    {
        if (_scratch.Length < per)
        {
            _scratch = new float[per];
            _wide = new double[per];
            _wide2 = new double[per];
            _wide3 = new double[per];
        }
    }
}
