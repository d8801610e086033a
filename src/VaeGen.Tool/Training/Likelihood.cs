using System;
using System.Globalization;
using VaeGen.Runtime.Losses;
using VaeGen.Runtime.Models;
using VaeGen.Runtime.Tensors;

namespace VaeGen.Tool.Training;

/// <summary>
/// The normalised decoder likelihood log p(x|z) that the IWAE estimate needs, chosen to agree with
/// the loss the model was trained on (-log p(x|z) and recon_i differ by a constant at most), and
/// computed by the runtime's own <see cref="VaeLoss"/> so the two cannot drift apart.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>bce_logits, bce: Bernoulli, log p(x|z) = sum over the D values of x log p + (1 - x) log(1 - p),
/// p the decoder's probability (the sigmoid of its logits for bce_logits); that is -recon_i for
/// reduction sum. For reduction mean it is -D * recon_i: the mean only rescales the training
/// objective. For grey values x in (0, 1) this is the usual Bernoulli likelihood of grey levels, not
/// a density normalised over continuous x.</item>
/// <item>mse, reduction sum: recon_i = sum (x - x_hat)^2 is -log N(x; x_hat, 1/2) up to a constant, so
/// p(x|z) is a Gaussian with variance 1/2 per value: log p(x|z) = -recon_i - D/2 log(pi).</item>
/// <item>mse, reduction mean: recon_i = sum (x - x_hat)^2 / D, a Gaussian with variance D/2:
/// log p(x|z) = -recon_i - D/2 log(pi D).</item>
/// <item>gaussian (spec 1.1): recon_i is the Gaussian negative log-likelihood with the model's sigma, so
/// log p(x|z) is exactly -recon_i, as the contract says.</item>
/// </list>
/// Densities are over the values the model sees (the data divided by the spec's scale), in nats.
/// </remarks>
internal sealed class Likelihood
{
    private readonly VaeLoss _sum;
    private readonly bool _mse;
    private readonly bool _mean;
    private readonly int _length;

    public Likelihood(VaeModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        VaeConfig config = model.Config;
        int d = config.SampleLength;
        _length = d;
        _mean = config.Reduction == Reduction.Mean;
        if (config.Reconstruction == ReconstructionTerm.Gaussian)
        {
            // recon_i is the Gaussian negative log-likelihood itself, with the model's sigma (learned: its value now).
            _sum = new VaeLoss(ReconstructionTerm.Gaussian, config.Reduction, beta: 0, config.Sigma, model.LogSigma);
            Name = string.Create(CultureInfo.InvariantCulture, $"gaussian, sigma {Math.Exp(model.GaussianLogSigma):G6}{(config.LearnedSigma ? " (learned)" : string.Empty)}");
            return;
        }

        // Beta 0 and a zero latent: only the reconstruction term is wanted, summed over the values.
        _sum = new VaeLoss(config.Reconstruction, Reduction.Sum, beta: 0);
        _mse = config.Reconstruction == ReconstructionTerm.Mse;
        Constant = _mse ? 0.5 * d * Math.Log(Math.PI * (_mean ? d : 1)) : 0;
        Name = _mse ? "gaussian, variance " + (_mean ? "D/2" : "1/2") + " per value" : "bernoulli";
    }

    /// <summary>"bernoulli", "gaussian, variance 1/2 per value" or "gaussian, sigma 0.1", for reports.</summary>
    public string Name { get; }

    /// <summary>What -log p(x|z) adds to the trained reconstruction term (nats): D/2 log(pi) for mse with sum, 0 for Bernoulli and gaussian.</summary>
    public double Constant { get; }

    /// <summary>log p(x|z) for one sample: the decoder's output as <see cref="VaeModel.Decode(Tensor)"/> returns it, and x divided by the scale.</summary>
    public double LogProbability(ReadOnlySpan<float> output, ReadOnlySpan<float> target)
    {
        double recon = _sum.SampleReconstruction(output, target);
        if (_sum.Term == ReconstructionTerm.Gaussian)
        {
            return -recon;
        }

        return _mse ? -Constant - (_mean ? recon / _length : recon) : -recon;
    }
}
