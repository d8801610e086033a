using System;
using VaeGen.Runtime.Init;
using VaeGen.Runtime.Layers.Activations;
using Xunit;
using Xunit.Sdk;

namespace VaeGen.Runtime.Tests;

/// <summary>The gradient checker must catch a wrong Backward, or its passes mean nothing.</summary>
public sealed class GradCheckSelfTest
{
    [Fact]
    public void DetectsAWrongDerivative() =>
        Assert.Throws<TrueException>(() => GradCheck.Check(new WrongSquare(), TestUtil.Random(new Rng(1), -1, 1, 2, 3)));

    private sealed class WrongSquare : ElementwiseActivation
    {
        protected override void Apply(ReadOnlySpan<float> x, Span<float> y)
        {
            for (int i = 0; i < x.Length; i++)
            {
                y[i] = x[i] * x[i];
            }
        }

        protected override void Derive(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> gy, Span<float> gx)
        {
            for (int i = 0; i < x.Length; i++)
            {
                gx[i] = gy[i] * 2.1f * x[i]; // should be 2x
            }
        }
    }
}
