using System;
using VaeGen.Runtime.Losses;

namespace VaeGen.Runtime.Models;

/// <summary>
/// What a spec says about the data and the objective, as the model needs it at run time: the input
/// shape in its declared layout, the scale the model divides by, the latent size, and the loss.
/// </summary>
public sealed class VaeConfig
{
    private readonly int[] _inputShape;

    /// <summary>Creates the configuration.</summary>
    /// <param name="name">The model's name, used in error messages.</param>
    /// <param name="inputShape">The per-sample input shape in the order <paramref name="layout"/> names (3 dimensions).</param>
    /// <param name="layout">The order of the input's dimensions.</param>
    /// <param name="scale">The model divides its input by this first (> 0).</param>
    /// <param name="latentDim">The latent dimension (>= 1).</param>
    /// <param name="reconstruction">The reconstruction term.</param>
    /// <param name="reduction">How each sample's reconstruction terms are reduced.</param>
    /// <param name="beta">Weight of the KL term (>= 0).</param>
    /// <param name="sigma">The fixed sigma of the <see cref="ReconstructionTerm.Gaussian"/> term (> 0); 1 for the others.</param>
    /// <param name="learnedSigma">Whether the Gaussian term's sigma is the trainable <c>log_sigma</c> instead.</param>
    /// <param name="kl">The KL schedule (spec 1.1 <c>kl:</c>), or null for beta throughout.</param>
    /// <param name="classes">K of a conditional VAE (spec 1.1 <c>condition: { classes: K }</c>, K >= 2), or 0 for an unconditional one.</param>
    public VaeConfig(string name, int[] inputShape, InputLayout layout, double scale, int latentDim, ReconstructionTerm reconstruction, Reduction reduction, double beta,
        double sigma = 1.0, bool learnedSigma = false, KlSchedule? kl = null, int classes = 0)
    {
        if (classes is < 0 or 1)
        {
            throw new ArgumentOutOfRangeException(nameof(classes), classes, "A conditional VAE needs at least 2 classes (0 means no condition).");
        }

        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(inputShape);
        if (inputShape.Length != 3 || Array.Exists(inputShape, d => d < 1))
        {
            throw new ArgumentException($"The per-sample input shape must be 3 positive sizes, not {Tensors.Tensor.FormatShape(inputShape)}.", nameof(inputShape));
        }

        if (!(scale > 0) || double.IsInfinity(scale))
        {
            throw new ArgumentOutOfRangeException(nameof(scale), scale, "The input scale must be a positive number.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(latentDim, 1);
        if (!(beta >= 0) || double.IsInfinity(beta))
        {
            throw new ArgumentOutOfRangeException(nameof(beta), beta, "Beta must be a number >= 0.");
        }

        if (!(sigma > 0) || double.IsInfinity(sigma))
        {
            throw new ArgumentOutOfRangeException(nameof(sigma), sigma, "Sigma must be a positive number.");
        }

        if (reconstruction != ReconstructionTerm.Gaussian && (sigma != 1.0 || learnedSigma))
        {
            throw new ArgumentException("Sigma belongs to the Gaussian reconstruction term only.", nameof(sigma));
        }

        Name = name;
        Classes = classes;
        Kl = kl;
        Sigma = sigma;
        LearnedSigma = learnedSigma;
        _inputShape = (int[])inputShape.Clone();
        Layout = layout;
        Scale = scale;
        LatentDim = latentDim;
        Reconstruction = reconstruction;
        Reduction = reduction;
        Beta = beta;
        (Channels, Height, Width) = layout == InputLayout.Nhwc
            ? (inputShape[2], inputShape[0], inputShape[1])
            : (inputShape[0], inputShape[1], inputShape[2]);
    }

    /// <summary>The model's name, used in error messages.</summary>
    public string Name { get; }

    /// <summary>The per-sample input shape in the declared layout.</summary>
    public ReadOnlySpan<int> InputShape => _inputShape;

    /// <summary>The order of the input's dimensions.</summary>
    public InputLayout Layout { get; }

    /// <summary>The model divides its input by this first.</summary>
    public double Scale { get; }

    /// <summary>The latent dimension.</summary>
    public int LatentDim { get; }

    /// <summary>The reconstruction term.</summary>
    public ReconstructionTerm Reconstruction { get; }

    /// <summary>The per-sample reduction of the reconstruction term.</summary>
    public Reduction Reduction { get; }

    /// <summary>Weight of the KL term.</summary>
    public double Beta { get; }

    /// <summary>The fixed sigma of the Gaussian term (1 for the other terms, and unused when <see cref="LearnedSigma"/>).</summary>
    public double Sigma { get; }

    /// <summary>The KL schedule, or null for beta throughout.</summary>
    public KlSchedule? Kl { get; }

    /// <summary>Whether the Gaussian term's sigma is the trainable parameter <c>log_sigma</c>.</summary>
    public bool LearnedSigma { get; }

    /// <summary>
    /// K of a conditional VAE (spec 1.1 <c>condition</c>): each sample comes with a label in 0..K-1, whose one-hot the heads
    /// read after the encoder's output and the decoder after z. 0 for an unconditional model.
    /// </summary>
    public int Classes { get; }

    /// <summary>Input channels C.</summary>
    public int Channels { get; }

    /// <summary>Input height H.</summary>
    public int Height { get; }

    /// <summary>Input width W.</summary>
    public int Width { get; }

    /// <summary>Elements per sample, C * H * W.</summary>
    public int SampleLength => Channels * Height * Width;

    /// <summary>The batch shape in the declared layout for <paramref name="batchSize"/> samples.</summary>
    /// <param name="batchSize">B.</param>
    public int[] BatchShape(int batchSize) => new[] { batchSize, _inputShape[0], _inputShape[1], _inputShape[2] };

    /// <summary>The layout's name as the spec writes it: "nchw" or "nhwc".</summary>
    public string LayoutName => Layout == InputLayout.Nhwc ? "nhwc" : "nchw";
}
