using System;
using VaeGen.Runtime.Init;
using VaeGen.Runtime.Models;
using VaeGen.Runtime.Tensors;
using VaeGen.Spec.Checking;
using VaeGen.Tool.Models;
using VaeGen.Tool.Training;
using Xunit;

namespace VaeGen.Tool.Tests;

/// <summary>
/// Spec 1.1: with <c>reconstruction: gaussian</c>, the IWAE's log p(x|z) is exactly -recon_i, the Gaussian negative
/// log-likelihood with the model's sigma (a learned sigma at its current value, through the soft floor).
/// </summary>
public sealed class LikelihoodTests
{
    [Theory]
    [InlineData("sigma: learned", "sum")]
    [InlineData("sigma: 0.25", "sum")]
    [InlineData("sigma: learned", "mean")]
    public void Gaussian_log_likelihood_is_minus_the_reconstruction_term(string sigmaLine, string reduction)
    {
        string spec =
            "name: GaussVae\ninput:\n  shape: [2, 3, 4]\nlatent: 3\nreconstruction: gaussian\n" + sigmaLine + "\nreduction: " + reduction + "\n" +
            "encoder:\n  - flatten\n  - linear: { out: 8, activation: relu }\ndecoder:\n  - linear: { out: 24 }\n  - unflatten: [2, 3, 4]\n";
        SpecCheckResult checkedSpec = SpecChecker.Check("gauss.vae.yaml", spec);
        VaeModel model = SpecModelFactory.Create(checkedSpec.Plan ?? throw new InvalidOperationException(string.Join("; ", checkedSpec.Diagnostics)), 5);
        if (model.LogSigma is { } logSigma)
        {
            logSigma.Value.Span[0] = 0.4f;
        }

        var rng = new Rng(9);
        var x = new Tensor(1, 2, 3, 4);
        rng.FillUniform(x.Span, 0, 1);
        var eps = new Tensor(1, 3);
        rng.FillNormal(eps.Span);

        double recon = model.Loss(x, eps).Reconstruction;
        float[] output = model.Forward(x, eps).Reconstruction.Span.ToArray();
        double logP = new Likelihood(model).LogProbability(output, x.Span);
        Assert.Equal(-recon, logP, 9);

        // The same number from the contract's formula, written out here.
        double lnSigma = model.LogSigma is null ? Math.Log(0.25) : -6 + Math.Log(1 + Math.Exp(0.4 + 6));
        double sum = 0;
        for (int i = 0; i < output.Length; i++)
        {
            double d = x.Span[i] - output[i];
            sum += (d * d / (2 * Math.Exp(2 * lnSigma))) + lnSigma + (0.5 * Math.Log(2 * Math.PI));
        }

        Assert.Equal(reduction == "sum" ? sum : sum / output.Length, recon, 4);
    }
}
