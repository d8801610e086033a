using VaeGen.Spec.Shapes;
using VaeGen.Testing;
using Xunit;

namespace VaeGen.Spec.Tests;

/// <summary>The FLOP counts the speed reports divide by, against counts done by hand from the specs' layers.</summary>
public class ModelCostTests
{
    [Fact]
    public void Seed000CountsEveryLinearAndConvolutionOnce()
    {
        ModelCost cost = ModelCost.Of(SpecText.CheckFile(TestSpecs.Path("seed000.vae.yaml")).Plan!);

        // conv 3->32 k3 on 5x5: 864 weights x 9 outputs; conv 32->64 k3 p1 on 1x1: 18,432 x 1; linear 64->256;
        // two heads 256->128; decoder linears 128->256 and 256->75.
        long forward = (864 * 9) + 18_432 + (64 * 256) + (2 * 256 * 128) + (128 * 256) + (256 * 75);
        Assert.Equal(160_096, forward);
        Assert.Equal(forward, cost.ForwardMultiplyAdds);

        // Forward, weight gradients and input gradients, less the first convolution's input gradient (its input is the data).
        Assert.Equal((3 * forward) - (864 * 9), cost.TrainingMultiplyAdds);
        Assert.Equal(2 * forward, cost.ForwardFlops);
    }

    [Fact]
    public void TransposedConvolutionsCountEveryInputPositionThroughTheWholeWeight()
    {
        ModelCost cost = ModelCost.Of(SpecText.CheckFile(TestSpecs.Path("fashion_conv.vae.yaml")).Plan!);

        long encoder = (512L * 14 * 14) + (32_768L * 7 * 7) + (3136 * 256);
        long heads = 2 * 256 * 16;
        // conv_transpose2d 64->32 k4 s2 from 7x7: 32,768 weights x 49 inputs; 32->1 from 14x14: 512 x 196.
        long decoder = (16 * 256) + (256 * 3136) + (32_768L * 7 * 7) + (512L * 14 * 14);
        Assert.Equal(5_029_888, encoder + heads + decoder);
        Assert.Equal(encoder + heads + decoder, cost.ForwardMultiplyAdds);
        Assert.Equal((3 * cost.ForwardMultiplyAdds) - (512L * 14 * 14), cost.TrainingMultiplyAdds);
    }
}
