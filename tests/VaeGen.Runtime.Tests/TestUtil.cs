using System;
using System.IO;
using VaeGen.Runtime.Init;
using VaeGen.Runtime.IO;
using VaeGen.Runtime.Tensors;
using VaeGen.Spec.Checking;
using VaeGen.Spec.Lowering;
using Xunit;

namespace VaeGen.Runtime.Tests;

internal static class TestUtil
{
    public static string FixturePath(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    /// <summary>A shipped spec's model, lowered: the same constructions the generated class and the tool build.</summary>
    /// <param name="name">The spec's file name without .vae.yaml.</param>
    public static ModelConstruction LowerSpec(string name)
    {
        // The shipped specs are copied next to the tests (see the project file).
        string path = Path.Combine(AppContext.BaseDirectory, "specs", name + ".vae.yaml");
        SpecCheckResult result = SpecChecker.Check(path, File.ReadAllText(path));
        return SpecLowering.Lower(result.Plan ?? throw new InvalidOperationException(name + " has errors: " + string.Join("; ", result.Diagnostics)));
    }

    public static Tensor Random(Rng rng, double low, double high, params int[] shape)
    {
        var t = new Tensor(shape);
        rng.FillUniform(t.Span, low, high);
        return t;
    }

    public static Tensor RandomNormal(Rng rng, params int[] shape)
    {
        var t = new Tensor(shape);
        rng.FillNormal(t.Span);
        return t;
    }

    /// <summary>
    /// Values spaced at least <paramref name="gap"/> apart in random order, so max-pooling has no
    /// near-ties and piecewise activations see no input near their kink at 0 (finite differences
    /// would straddle it otherwise).
    /// </summary>
    public static Tensor Spaced(Rng rng, double gap, params int[] shape)
    {
        var t = new Tensor(shape);
        int n = t.Length;
        var order = new int[n];
        for (int i = 0; i < n; i++)
        {
            order[i] = i;
        }

        for (int i = n - 1; i > 0; i--)
        {
            int j = (int)(rng.NextUInt64() % (ulong)(i + 1));
            (order[i], order[j]) = (order[j], order[i]);
        }

        for (int i = 0; i < n; i++)
        {
            // Centred on zero but skipping it: ..., -1.5 gap, -0.5 gap, 0.5 gap, 1.5 gap, ...
            t.Data[order[i]] = (float)((i - (n / 2) + 0.5) * gap);
        }

        return t;
    }

    /// <summary>
    /// Asserts max_i |actual_i - expected_i| / max(|expected_i|, floor) &lt;= tol, where the floor
    /// (1e-3 of the tensor's largest magnitude) keeps near-zero entries from dominating: those are
    /// results of cancellation whose last bits depend on summation order.
    /// </summary>
    public static double AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double tol, string what)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: length {actual.Length} != expected {expected.Length}");
        double maxAbs = 0;
        foreach (float v in expected)
        {
            maxAbs = Math.Max(maxAbs, Math.Abs(v));
        }

        double floor = Math.Max(1e-3 * maxAbs, 1e-30);
        double worst = 0;
        int worstIndex = -1;
        for (int i = 0; i < expected.Length; i++)
        {
            double err = Math.Abs((double)actual[i] - expected[i]) / Math.Max(Math.Abs(expected[i]), floor);
            if (!(err <= worst))
            {
                worst = err;
                worstIndex = i;
            }
        }

        Assert.True(
            worst <= tol,
            $"{what}: relative error {worst:E3} at [{worstIndex}] (expected {(worstIndex >= 0 ? expected[worstIndex] : 0)}, got {(worstIndex >= 0 ? actual[worstIndex] : 0)}) exceeds {tol:E1}");
        return worst;
    }
}
