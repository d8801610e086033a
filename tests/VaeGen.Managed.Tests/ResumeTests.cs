using System.IO;
using System.Linq;
using VaeGen.Runtime.Init;
using VaeGen.Runtime.IO;
using VaeGen.Runtime.Tensors;
using VaeGen.Specs;
using VaeGen.Testing;
using Xunit;

namespace VaeGen.Managed.Tests;

/// <summary>Weights, Adam's moments and every random stream (eps and dropout masks) saved mid-run continue the run exactly.</summary>
public class ResumeTests
{
    [Fact]
    public void A_run_resumed_from_a_checkpoint_gives_the_same_losses_as_an_uninterrupted_one()
    {
        using (var temp = new TempFolder("vaegen-resume-"))
        {
            string folder = temp.Path;
            Tensor x = ParityLayersVae.CreateBatch(8);
            new Rng(4).FillUniform(x.Span, 0, 1);

            var uninterrupted = new ParityLayersVae(seed: 5); // has dropout: its mask stream must resume too
            for (int i = 0; i < 3; i++)
            {
                uninterrupted.TrainStep(x);
            }

            Checkpoint.Save(Path.Combine(folder, "model.safetensors"), uninterrupted.StateDict());
            Checkpoint.Save(Path.Combine(folder, "adam.safetensors"), uninterrupted.Optimizer.StateDict());
            Checkpoint.Save(Path.Combine(folder, "rng.safetensors"), uninterrupted.RandomState());
            double[] expected = Enumerable.Range(0, 3).Select(_ => uninterrupted.TrainStep(x).Total).ToArray();

            var resumed = new ParityLayersVae(seed: 77);
            Checkpoint.Load(Path.Combine(folder, "model.safetensors"), resumed.StateDict());
            Checkpoint.Load(Path.Combine(folder, "adam.safetensors"), resumed.Optimizer.StateDict());
            var random = resumed.RandomState();
            Checkpoint.Load(Path.Combine(folder, "rng.safetensors"), random);
            resumed.RestoreRandomState(random);
            double[] actual = Enumerable.Range(0, 3).Select(_ => resumed.TrainStep(x).Total).ToArray();

            Assert.Equal(expected, actual);
            Assert.Contains(random, s => s.Name == "rng.encoder.5"); // the dropout layer's stream
        }
    }
}
