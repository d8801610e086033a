using System;
using VaeGen.Runtime.Init;
using VaeGen.Runtime.IO;
using VaeGen.Runtime.Losses;
using VaeGen.Runtime.Tensors;
using Xunit;

namespace VaeGen.Runtime.Tests;

public sealed class LossTests
{
    private static readonly Lazy<SafeTensorsFile> Fixtures = new(() => SafeTensorsFile.Read(TestUtil.FixturePath("losses.safetensors")));

    public static TheoryData<ReconstructionTerm, Reduction, double> Configurations()
    {
        var data = new TheoryData<ReconstructionTerm, Reduction, double>();
        foreach (ReconstructionTerm term in Enum.GetValues<ReconstructionTerm>())
        {
            foreach (Reduction reduction in Enum.GetValues<Reduction>())
            {
                data.Add(term, reduction, 1.0);
                data.Add(term, reduction, 0.5);
            }
        }

        return data;
    }

    /// <summary>The v1 terms the checked-in fixture holds; the Gaussian term's PyTorch parity runs through whole models (Managed and TorchSharp parity tests).</summary>
    public static TheoryData<ReconstructionTerm, Reduction, double> FixtureConfigurations()
    {
        var data = new TheoryData<ReconstructionTerm, Reduction, double>();
        foreach (var row in Configurations())
        {
            if ((ReconstructionTerm)row[0] != ReconstructionTerm.Gaussian)
            {
                data.Add((ReconstructionTerm)row[0], (Reduction)row[1], (double)row[2]);
            }
        }

        return data;
    }

    [Theory]
    [InlineData(Reduction.Sum, 0.3)]
    [InlineData(Reduction.Mean, -1.5)]
    [InlineData(Reduction.Sum, -9.0)]
    public void Learned_sigma_gradient_matches_finite_differences(Reduction reduction, float start)
    {
        // ln sigma = -6 + softplus(log_sigma + 6); -9 sits on the soft floor, where the slope is small.
        var rng = new Rng(78);
        Tensor recon = TestUtil.Random(rng, -2, 2, 3, 2, 3, 4);
        Tensor x = TestUtil.Random(rng, 0, 1, 3, 2, 3, 4);
        Tensor mu = TestUtil.Random(rng, -1, 1, 3, 5);
        Tensor logVar = TestUtil.Random(rng, -1, 1, 3, 5);
        var logSigma = new Parameter("log_sigma", 1);
        logSigma.Value.Span[0] = start;
        var loss = new VaeLoss(ReconstructionTerm.Gaussian, reduction, 1.0, logSigma: logSigma);
        loss.Forward(recon, x, mu, logVar);
        loss.Backward();
        double analytic = logSigma.Grad.Span[0];

        const float h = 1e-3f;
        logSigma.Value.Span[0] = start + h;
        double up = loss.Forward(recon, x, mu, logVar);
        logSigma.Value.Span[0] = start - h;
        double down = loss.Forward(recon, x, mu, logVar);
        double numeric = (up - down) / ((double)(start + h) - (start - h));
        logSigma.Value.Span[0] = start;
        Assert.True(Math.Abs(analytic - numeric) <= 1e-3 * Math.Max(1, Math.Abs(numeric)), $"d loss / d log_sigma {analytic} vs finite difference {numeric}");
        CheckAll(loss, recon, x, mu, logVar, recon, (float[])loss.GradReconstruction.Data.Clone());
    }

    [Theory]
    [MemberData(nameof(FixtureConfigurations))]
    public void MatchesPyTorchAutograd(ReconstructionTerm term, Reduction reduction, double beta)
    {
        SafeTensorsFile f = Fixtures.Value;
        string key = $"{TermName(term)}.{reduction.ToString().ToLowerInvariant()}.beta{beta:0.0}";
        string recon = term switch { ReconstructionTerm.Mse => "values", ReconstructionTerm.Bce => "probs", _ => "logits" };
        var loss = new VaeLoss(term, reduction, beta);
        double value = loss.Forward(f.ReadTensor(recon), f.ReadTensor("x"), f.ReadTensor("mu"), f.ReadTensor("logvar"));
        double expected = f.ReadFloat32($"{key}.loss")[0];
        Assert.True(Math.Abs(value - expected) <= 1e-5 * Math.Abs(expected), $"{key}: loss {value} vs {expected}");
        loss.Backward();
        TestUtil.AssertClose(f.ReadFloat32($"{key}.grad_recon"), loss.GradReconstruction.Span, 1e-4, $"{key} grad_recon");
        TestUtil.AssertClose(f.ReadFloat32($"{key}.grad_mu"), loss.GradMu.Span, 1e-4, $"{key} grad_mu");
        TestUtil.AssertClose(f.ReadFloat32($"{key}.grad_logvar"), loss.GradLogVar.Span, 1e-4, $"{key} grad_logvar");
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public void GradientsMatchFiniteDifferences(ReconstructionTerm term, Reduction reduction, double beta)
    {
        // The loss is accumulated in double from float inputs, so differences are accurate to ~1e-9.
        var rng = new Rng(77);
        Tensor recon = term switch
        {
            ReconstructionTerm.Bce => TestUtil.Random(rng, 0.05, 0.95, 3, 2, 3, 4),
            ReconstructionTerm.BceLogits => TestUtil.Random(rng, -6, 6, 3, 2, 3, 4),
            _ => TestUtil.Random(rng, -2, 2, 3, 2, 3, 4),
        };
        Tensor x = TestUtil.Random(rng, 0, 1, 3, 2, 3, 4);
        Tensor mu = TestUtil.Random(rng, -1, 1, 3, 5);
        Tensor logVar = TestUtil.Random(rng, -1, 1, 3, 5);
        var loss = new VaeLoss(term, reduction, beta);
        loss.Forward(recon, x, mu, logVar);
        loss.Backward();
        CheckAll(loss, recon, x, mu, logVar, recon, (float[])loss.GradReconstruction.Data.Clone());
        CheckAll(loss, recon, x, mu, logVar, mu, (float[])loss.GradMu.Data.Clone());
        CheckAll(loss, recon, x, mu, logVar, logVar, (float[])loss.GradLogVar.Data.Clone());
    }

    [Fact]
    public void BceClampsLogAtMinus100AndLogitsFormIsStable()
    {
        var loss = new VaeLoss(ReconstructionTerm.Bce);
        var p = new Tensor([0f, 1f], 1, 2);
        var x = new Tensor([1f, 0f], 1, 2);
        var z = new Tensor(1, 1);
        Assert.Equal(200.0, loss.Forward(p, x, z, z), 9);

        var logits = new VaeLoss(ReconstructionTerm.BceLogits);
        double big = logits.Forward(new Tensor([1000f, -1000f], 1, 2), new Tensor([0f, 1f], 1, 2), z, z);
        Assert.Equal(2000.0, big, 6);
    }

    private static void CheckAll(VaeLoss loss, Tensor recon, Tensor x, Tensor mu, Tensor logVar, Tensor wrt, float[] analytic)
    {
        for (int i = 0; i < wrt.Length; i++)
        {
            float original = wrt.Data[i];
            float plus = original + 1e-4f;
            float minus = original - 1e-4f;
            wrt.Data[i] = plus;
            double lp = loss.Forward(recon, x, mu, logVar);
            wrt.Data[i] = minus;
            double lm = loss.Forward(recon, x, mu, logVar);
            wrt.Data[i] = original;
            double numeric = (lp - lm) / ((double)plus - minus);
            Assert.True(Math.Abs(numeric - analytic[i]) <= 1e-4 * Math.Max(1e-2, Math.Abs(numeric)), $"[{i}] numeric {numeric} vs analytic {analytic[i]}");
        }
    }

    private static string TermName(ReconstructionTerm term) => term switch
    {
        ReconstructionTerm.Mse => "mse",
        ReconstructionTerm.Bce => "bce",
        _ => "bce_logits",
    };
}
