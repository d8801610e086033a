using System;
using System.Numerics;
using VaeGen.Runtime.Kernels;
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
    // Forward's per-element work is about ten passes in double (Backward's three in float): split from a tenth (a
    // third) of the elements an activation splits from.
    private const int ForwardPassesPerElement = 10;
    private const int BackwardPassesPerElement = 3;

    /// <summary>One scratch per part of a split pass; part 0's also serves <see cref="SampleReconstruction"/>.</summary>
    private SampleScratch[] _scratch = [new SampleScratch()];

    // Forward's per-sample terms, formed in parallel and then added up in sample order, as one thread would.
    private double[] _sampleReconstruction = Array.Empty<double>();
    private double[] _sampleKl = Array.Empty<double>();
    private double[] _sampleSquaredErrors = Array.Empty<double>();

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
        _logSigma = CurrentLogSigma;
        _inverseVariance = Math.Exp(-2 * _logSigma);
        if (_sampleKl.Length < n)
        {
            _sampleReconstruction = new double[n];
            _sampleKl = new double[n];
            _sampleSquaredErrors = new double[n];
        }

        int parts = Math.Min(n, ForkJoin.PartsForElements((long)ForwardPassesPerElement * reconstruction.Length));
        EnsureScratch(parts, Math.Max(per, mu.Dim(1)));
        ForkJoin.Run(new SampleTerms(this), parts);
        _squaredErrors = 0;
        double reconTotal = 0;
        double klTotal = 0;
        for (int i = 0; i < n; i++)
        {
            double sample = _sampleReconstruction[i];
            reconTotal += Reduction == Reduction.Mean ? sample / per : sample;
            klTotal += 0.5 * _sampleKl[i];
            _squaredErrors += _sampleSquaredErrors[i];
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

        EnsureScratch(1, reconstruction.Length);
        _logSigma = CurrentLogSigma;
        _inverseVariance = Math.Exp(-2 * _logSigma);
        double sample = SampleTerm(_scratch[0], reconstruction, target, out _);
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
        int parts = Math.Min(n, ForkJoin.PartsForElements((long)BackwardPassesPerElement * recon.Length));
        EnsureScratch(parts, Math.Max(per, mu.Dim(1)));
        ForkJoin.Run(new Gradients(this, (float)(1.0 / n / (Reduction == Reduction.Mean ? per : 1))), parts);
        if (Term == ReconstructionTerm.Gaussian && LogSigma is not null)
        {
            // d recon_i / d ln sigma = sum over values of (1 - (x - xhat)^2 / sigma^2); d ln sigma / d log_sigma = sigmoid(log_sigma + 6).
            double perLogSigma = (((double)recon.Length) - (_squaredErrors * _inverseVariance)) / n / (Reduction == Reduction.Mean ? per : 1);
            double inner = LogSigma.Value.Span[0] - SigmaFloor;
            LogSigma.Grad.Span[0] += (float)(perLogSigma * SoftplusSlope(inner));
        }
    }

    /// <summary>
    /// The reconstruction gradient of one part of the elements (cut on whole blocks, <see cref="ForkJoin.ShareBlocks"/>,
    /// so each element takes the vector or scalar path it takes on one thread), or of the part's samples for bce, whose
    /// passes run sample by sample.
    /// </summary>
    private void ReconstructionGradient(int part, int parts, float scale)
    {
        ReadOnlySpan<float> r = _reconstruction!.Span;
        ReadOnlySpan<float> x = _target!.Span;
        Span<float> g = _gradReconstruction!.Span;
        if (Term == ReconstructionTerm.Bce)
        {
            // As PyTorch: (p - x) / max(p (1 - p), eps), also where the log clamp is active.
            int per = r.Length / _reconstruction.Dim(0);
            (int first, int end) = ForkJoin.Share(_reconstruction.Dim(0), part, parts);
            Span<float> den = _scratch[part].Den.AsSpan(0, per);
            for (int offset = first * per; offset < end * per; offset += per)
            {
                ReadOnlySpan<float> ri = r.Slice(offset, per);
                Span<float> gi = g.Slice(offset, per);
                TensorPrimitives.Subtract(1f, ri, den);
                TensorPrimitives.Multiply(den, ri, den);
                TensorPrimitives.Max(den, BceGradEpsilon, den);
                TensorPrimitives.Subtract(ri, x.Slice(offset, per), gi);
                TensorPrimitives.Divide(gi, den, gi);
                TensorPrimitives.Multiply(gi, scale, gi);
            }

            return;
        }

        (int lo, int hi) = ForkJoin.ShareBlocks(r.Length, part, parts);
        foreach ((int start, int end) in ForkJoin.ChunksOf(hi - lo))
        {
            ReconstructionGradientOf(r[(lo + start)..(lo + end)], x[(lo + start)..(lo + end)], g[(lo + start)..(lo + end)], scale);
        }
    }

    /// <summary>
    /// The mse, gaussian or bce_logits gradient of one chunk: whole-chunk float passes, as PyTorch computes these
    /// gradients in float32; each element sees at most a few roundings, far inside the 1e-4 parity tolerance.
    /// </summary>
    private void ReconstructionGradientOf(ReadOnlySpan<float> r, ReadOnlySpan<float> x, Span<float> g, float scale)
    {
        switch (Term)
        {
            case ReconstructionTerm.Mse:
                TensorPrimitives.Subtract(r, x, g);
                TensorPrimitives.Multiply(g, 2f * scale, g);
                break;
            case ReconstructionTerm.Gaussian:
                TensorPrimitives.Subtract(r, x, g);
                TensorPrimitives.Multiply(g, (float)(scale * _inverseVariance), g);
                break;
            default:
                // sigmoid(l) - x; TensorPrimitives.Sigmoid saturates to 0 and 1 without NaN.
                TensorPrimitives.Sigmoid(r, g);
                TensorPrimitives.Subtract(g, x, g);
                TensorPrimitives.Multiply(g, scale, g);
                break;
        }
    }

    /// <summary>The KL gradients of one part's samples: d/d mu = w mu / N, d/d logvar = w (e^logvar - 1) / 2N.</summary>
    private void KlGradient(int part, int parts)
    {
        int z = _mu!.Dim(1);
        double klScale = KlWeight / _mu.Dim(0);
        (int first, int end) = ForkJoin.Share(_mu.Dim(0), part, parts);
        Span<double> exp = _scratch[part].A.AsSpan(0, z);
        for (int i = first; i < end; i++)
        {
            ExpOf(_logVar!.Span.Slice(i * z, z), exp);
            for (int k = 0, at = i * z; k < z; k++, at++)
            {
                _gradMu!.Data[at] = (float)(klScale * _mu.Data[at]);
                _gradLogVar!.Data[at] = (float)(klScale * 0.5 * (exp[k] - 1.0));
            }
        }
    }

    /// <summary>The forward's terms of one part's samples, into the per-sample arrays.</summary>
    private void SampleTermsOf(int part, int parts)
    {
        int n = _reconstruction!.Dim(0);
        int per = _reconstruction.Length / n;
        int z = _mu!.Dim(1);
        float[] r = _reconstruction.Data;
        float[] x = _target!.Data;
        SampleScratch scratch = _scratch[part];
        (int first, int end) = ForkJoin.Share(n, part, parts);
        for (int i = first; i < end; i++)
        {
            _sampleReconstruction[i] = SampleTerm(scratch, r.AsSpan(i * per, per), x.AsSpan(i * per, per), out _sampleSquaredErrors[i]);

            // Z is small (tens to a few hundred) and exp(logvar) - 1 is cancellation-prone, so
            // the KL term stays in double.
            Span<double> exp = scratch.A.AsSpan(0, z);
            ExpOf(_logVar!.Span.Slice(i * z, z), exp);
            double kl = 0;
            for (int k = 0, at = i * z; k < z; k++, at++)
            {
                double m = _mu.Data[at];
                double lv = _logVar.Data[at];
                kl += exp[k] + (m * m) - 1.0 - lv;
            }

            _sampleKl[i] = kl;
        }
    }

    /// <summary>e^v in double for each float v: vectorised, where a scalar Math.Exp per latent took most of a small model's loss.</summary>
    private static void ExpOf(ReadOnlySpan<float> values, Span<double> result)
    {
        Widen(values, result);
        TensorPrimitives.Exp(result, result);
    }

    /// <summary>Forward's per-sample terms over the parts of the batch.</summary>
    private readonly struct SampleTerms(VaeLoss loss) : IForkJoinBody
    {
        public void Run(int part, int parts) => loss.SampleTermsOf(part, parts);
    }

    /// <summary>Backward's gradients over the parts of the batch.</summary>
    private readonly struct Gradients(VaeLoss loss, float scale) : IForkJoinBody
    {
        public void Run(int part, int parts)
        {
            loss.ReconstructionGradient(part, parts, scale);
            loss.KlGradient(part, parts);
        }
    }

    /// <summary>The double scratch of one thread's samples, and bce's float denominators.</summary>
    private sealed class SampleScratch
    {
        public double[] A { get; private set; } = Array.Empty<double>();

        public double[] B { get; private set; } = Array.Empty<double>();

        public double[] T { get; private set; } = Array.Empty<double>();

        public float[] Den { get; private set; } = Array.Empty<float>();

        public void Ensure(int length)
        {
            if (A.Length < length)
            {
                (A, B, T, Den) = (new double[length], new double[length], new double[length], new float[length]);
            }
        }
    }

    /// <summary>
    /// One sample's reconstruction terms. The loss is formed and summed in double (vectorised), so
    /// it stays accurate enough for finite differences of 1e-4 on float inputs (LossTests).
    /// </summary>
    private double SampleTerm(SampleScratch scratch, ReadOnlySpan<float> r, ReadOnlySpan<float> x, out double squaredErrors)
    {
        Span<double> a = scratch.A.AsSpan(0, r.Length);
        Span<double> b = scratch.B.AsSpan(0, r.Length);
        Span<double> t = scratch.T.AsSpan(0, r.Length);
        Widen(r, a);
        Widen(x, b);
        squaredErrors = 0;
        switch (Term)
        {
            case ReconstructionTerm.Mse:
                TensorPrimitives.Subtract(a, b, t);
                return TensorPrimitives.SumOfSquares<double>(t);
            case ReconstructionTerm.Gaussian:
            {
                TensorPrimitives.Subtract(a, b, t);
                double squared = TensorPrimitives.SumOfSquares<double>(t);
                squaredErrors = squared;
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

    private void EnsureScratch(int parts, int length)
    {
        if (_scratch.Length < parts)
        {
            SampleScratch[] grown = new SampleScratch[parts];
            _scratch.CopyTo(grown, 0);
            for (int p = _scratch.Length; p < parts; p++)
            {
                grown[p] = new SampleScratch();
            }

            _scratch = grown;
        }

        for (int p = 0; p < parts; p++)
        {
            _scratch[p].Ensure(length);
        }
    }
}
