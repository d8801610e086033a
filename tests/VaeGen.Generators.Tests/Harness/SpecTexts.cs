namespace VaeGen.Generators.Tests.Harness;

/// <summary>Spec texts the managed and the TorchSharp emitter tests both compile, so the two backends are held to the same spec.</summary>
internal static class SpecTexts
{
    /// <summary>
    /// condition (spec 1.1) with the other 1.1 loss options and layers: the labels overloads next to a kl schedule's
    /// step, a learned sigma, an nchw input and a residual block.
    /// </summary>
    public const string ConditionalCombination =
        "name: ComboCvae\n" +
        "namespace: Consumer\n" +
        "input: { shape: [1, 6, 6] }\n" +
        "latent: 2\n" +
        "condition: { classes: 3 }\n" +
        "reconstruction: gaussian\n" +
        "sigma: learned\n" +
        "kl: { warmup: 10 }\n" +
        "init: xavier_uniform\n" +
        "encoder:\n" +
        "  - conv2d: { out: 2, kernel: 3, padding: same, activation: relu }\n" +
        "  - residual: [ conv2d: { out: 2, kernel: 3, padding: 1 } ]\n" +
        "  - flatten\n" +
        "decoder:\n" +
        "  - linear: { in: 5, out: 36 }\n" +
        "  - unflatten: [1, 6, 6]\n";
}
