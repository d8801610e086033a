using System.Linq;
using VaeGen.Runtime.Init;
using VaeGen.Runtime.IO;
using VaeGen.Runtime.Models;
using VaeGen.Runtime.Tensors;
using VaeGen.Specs;
using VaeGen.Testing;
using Xunit;

namespace VaeGen.Managed.Tests;

/// <summary>The one training step: TrainStep and the session step alike, the step count a schedule reads, and a diverging step that changes nothing.</summary>
public class TrainingSessionTests
{
    [Fact]
    public void TrainStep_and_the_session_step_are_the_same_step()
    {
        Tensor x = FashionMlpVae.CreateBatch(8);
        new Rng(4).FillUniform(x.Span, 0, 255);
        var viaModel = new FashionMlpVae(seed: 3);
        var viaSession = new FashionMlpVae(seed: 3);

        double[] a = Enumerable.Range(0, 3).Select(_ => viaModel.TrainStep(x).Total).ToArray();
        double[] b = Enumerable.Range(0, 3).Select(_ => viaSession.Session.Step(x).Total).ToArray();

        Assert.Equal(a, b);
        Assert.Equal(viaModel.StateDict().Select(t => t.Float32), viaSession.StateDict().Select(t => t.Float32));
    }

    [Fact]
    public void The_step_count_is_saved_and_restored_with_the_optimizer()
    {
        using var temp = new TempFolder();
        Tensor x = FashionMlpVae.CreateBatch(4);
        new Rng(4).FillUniform(x.Span, 0, 255);
        var model = new FashionMlpVae(seed: 1);
        Assert.Equal(0, model.Session.Steps);
        for (int i = 0; i < 5; i++)
        {
            model.TrainStep(x);
        }

        Assert.Equal(5, model.Session.Steps);
        string path = System.IO.Path.Combine(temp.Path, "session.safetensors");
        Checkpoint.Save(path, model.Session.StateDict());

        var resumed = new FashionMlpVae(seed: 2);
        resumed.UseAdam(1e-3);
        Checkpoint.Load(path, resumed.Session.StateDict());
        Assert.Equal(5, resumed.Session.Steps);
    }

    [Fact]
    public void A_non_finite_loss_leaves_weights_moments_and_count_unchanged_when_asked()
    {
        Tensor x = FashionMlpVae.CreateBatch(4);
        new Rng(4).FillUniform(x.Span, 0, 255);
        var model = new FashionMlpVae(seed: 1);
        model.TrainStep(x);
        float[][] weights = model.StateDict().Select(t => t.Float32!.ToArray()).ToArray();
        float[][] moments = model.Optimizer.StateDict().Where(t => t.Float32 is not null).Select(t => t.Float32!.ToArray()).ToArray();

        x.Span[0] = float.NaN;
        LossTerms terms = model.Session.Step(x, skipNonFinite: true);

        Assert.False(terms.IsFinite);
        Assert.Equal(1, model.Session.Steps);
        Assert.Equal(weights, model.StateDict().Select(t => t.Float32!));
        Assert.Equal(moments, model.Optimizer.StateDict().Where(t => t.Float32 is not null).Select(t => t.Float32!));
    }
}
