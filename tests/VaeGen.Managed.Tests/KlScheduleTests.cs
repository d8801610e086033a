using System;
using System.IO;
using System.Linq;
using VaeGen.Runtime.Init;
using VaeGen.Runtime.IO;
using VaeGen.Runtime.Models;
using VaeGen.Runtime.Tensors;
using VaeGen.Specs;
using VaeGen.Testing;
using Xunit;

namespace VaeGen.Managed.Tests;

/// <summary>
/// Spec 1.1's <c>kl</c> schedules in the generated classes of tests/VaeGen.Generators.Tests/Specs/kl_warmup.vae.yaml
/// (beta 2, warmup 10) and kl_capacity.vae.yaml (max 5, steps 10, gamma 50): the objective at every step t (the
/// optimizer steps taken so far), the unweighted terms, and a run resumed from a checkpoint continuing the schedule.
/// </summary>
public sealed class KlScheduleTests
{
    [Fact]
    public void Warmup_follows_its_schedule_step_by_step()
    {
        var model = new KlWarmupVae(seed: 1);
        var (x, eps) = Batch(KlWarmupVae.CreateBatch(6), 3);
        for (long t = 0; t < 14; t++)
        {
            Assert.Equal(t, model.Session.Steps);
            LossTerms terms = model.ComputeGradients(x, eps);
            double weight = 2.0 * Math.Min(1.0, t / 10.0);
            Assert.Equal(terms.Reconstruction + (weight * terms.Kl), terms.Total, 10);
            model.Optimizer.Step();
        }
    }

    [Fact]
    public void Capacity_follows_its_schedule_step_by_step()
    {
        var model = new KlCapacityVae(seed: 1);
        var (x, eps) = Batch(KlCapacityVae.CreateBatch(6), 3);
        for (long t = 0; t < 14; t++)
        {
            LossTerms terms = model.ComputeGradients(x, eps);
            double capacity = 5.0 * Math.Min(1.0, t / 10.0);
            Assert.Equal(terms.Reconstruction + (50.0 * Math.Abs(terms.Kl - capacity)), terms.Total, 8);
            model.Optimizer.Step();
        }
    }

    [Fact]
    public void A_resumed_run_continues_the_schedule()
    {
        using var temp = new TempFolder("vaegen-kl-resume-");
        Tensor x = KlWarmupVae.CreateBatch(8);
        new Rng(4).FillUniform(x.Span, 0, 1);
        var uninterrupted = new KlWarmupVae(seed: 5);
        for (int i = 0; i < 4; i++)
        {
            uninterrupted.TrainStep(x);
        }

        Checkpoint.Save(Path.Combine(temp.Path, "model.safetensors"), uninterrupted.StateDict());
        Checkpoint.Save(Path.Combine(temp.Path, "adam.safetensors"), uninterrupted.Optimizer.StateDict());
        Checkpoint.Save(Path.Combine(temp.Path, "rng.safetensors"), uninterrupted.RandomState());
        LossTerms[] expected = Enumerable.Range(0, 8).Select(_ => uninterrupted.TrainStep(x)).ToArray();

        var resumed = new KlWarmupVae(seed: 77);
        Checkpoint.Load(Path.Combine(temp.Path, "model.safetensors"), resumed.StateDict());
        Checkpoint.Load(Path.Combine(temp.Path, "adam.safetensors"), resumed.Optimizer.StateDict());
        var random = resumed.RandomState();
        Checkpoint.Load(Path.Combine(temp.Path, "rng.safetensors"), random);
        resumed.RestoreRandomState(random);
        Assert.Equal(4, resumed.Session.Steps);
        LossTerms[] actual = Enumerable.Range(0, 8).Select(_ => resumed.TrainStep(x)).ToArray();

        Assert.Equal(expected, actual);

        // Steps 4..11 cross the end of the warm-up at t = 10: the weight rose, then stayed at beta.
        for (int i = 0; i < actual.Length; i++)
        {
            Assert.Equal(actual[i].Reconstruction + (2.0 * Math.Min(1.0, (4 + i) / 10.0) * actual[i].Kl), actual[i].Total, 10);
        }
    }

    private static (Tensor X, Tensor Eps) Batch(Tensor x, int latent)
    {
        var rng = new Rng(8);
        rng.FillUniform(x.Span, 0, 1);
        var eps = new Tensor(x.Dim(0), latent);
        rng.FillNormal(eps.Span);
        return (x, eps);
    }
}
