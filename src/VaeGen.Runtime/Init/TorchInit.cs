using System;
using VaeGen.Runtime.Tensors;

namespace VaeGen.Runtime.Init;

/// <summary>
/// PyTorch's default parameter initialisation (<c>reset_parameters</c> of Linear, Conv2d and
/// ConvTranspose2d), reproducing its bound arithmetic in double precision step by step.
/// The random stream is this runtime's <see cref="Rng"/>, not PyTorch's.
/// </summary>
public static class TorchInit
{
    /// <summary>
    /// fan_in as <c>torch.nn.init._calculate_fan_in_and_fan_out</c>: weight dim 1 times the receptive
    /// field. For ConvTranspose2d's [in, out, kh, kw] weight that is out * kh * kw, as in PyTorch.
    /// </summary>
    /// <param name="weightShape">The weight's shape (at least 2 dimensions).</param>
    public static int FanIn(ReadOnlySpan<int> weightShape)
    {
        if (weightShape.Length < 2)
        {
            throw new ArgumentException("Fan in can not be computed for tensor with fewer than 2 dimensions.", nameof(weightShape));
        }

        int receptive = 1;
        for (int i = 2; i < weightShape.Length; i++)
        {
            receptive *= weightShape[i];
        }

        return weightShape[1] * receptive;
    }

    /// <summary>fan_out as <c>torch.nn.init._calculate_fan_in_and_fan_out</c>: weight dim 0 times the receptive field.</summary>
    /// <param name="weightShape">The weight's shape (at least 2 dimensions).</param>
    public static int FanOut(ReadOnlySpan<int> weightShape) => FanIn(weightShape) / weightShape[1] * weightShape[0];

    /// <summary>
    /// The bound of <c>kaiming_uniform_(w, a=math.sqrt(5))</c>: gain = sqrt(2 / (1 + a**2)),
    /// std = gain / sqrt(fan_in), bound = sqrt(3) * std (mathematically 1/sqrt(fan_in)).
    /// </summary>
    /// <param name="fanIn">The weight's fan_in.</param>
    public static double KaimingUniformBound(int fanIn)
    {
        double a = Math.Sqrt(5.0);
        double gain = Math.Sqrt(2.0 / (1 + (a * a)));
        double std = gain / Math.Sqrt(fanIn);
        return Math.Sqrt(3.0) * std;
    }

    /// <summary>The bias bound: 1 / math.sqrt(fan_in), or 0 when fan_in is 0.</summary>
    /// <param name="fanIn">The weight's fan_in.</param>
    public static double BiasBound(int fanIn) => fanIn > 0 ? 1.0 / Math.Sqrt(fanIn) : 0.0;

    /// <summary>
    /// Initialises a weight and optional bias as PyTorch's reset_parameters: the weight first,
    /// then the bias, both from <paramref name="rng"/>.
    /// </summary>
    /// <param name="weight">The weight parameter, in PyTorch's layout.</param>
    /// <param name="bias">The bias parameter, or null.</param>
    /// <param name="rng">The random stream.</param>
    public static void ResetParameters(Parameter weight, Parameter? bias, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(weight);
        ArgumentNullException.ThrowIfNull(rng);
        int fanIn = FanIn(weight.Value.Shape);
        double bound = KaimingUniformBound(fanIn);
        rng.FillUniform(weight.Value.Span, -bound, bound);
        if (bias is not null)
        {
            double b = BiasBound(fanIn);
            rng.FillUniform(bias.Value.Span, -b, b);
        }
    }

    /// <summary>
    /// Initialises a weight and optional bias by <paramref name="scheme"/>, drawing from
    /// <paramref name="rng"/>: <see cref="InitScheme.PyTorch"/> is <see cref="ResetParameters"/>;
    /// the others fill the weight as the <c>torch.nn.init</c> function of that name (its std and
    /// bound arithmetic in double, step by step) and set the bias to 0 without drawing.
    /// </summary>
    /// <param name="weight">The weight parameter, in PyTorch's layout.</param>
    /// <param name="bias">The bias parameter, or null.</param>
    /// <param name="scheme">The scheme.</param>
    /// <param name="rng">The random stream.</param>
    public static void Initialize(Parameter weight, Parameter? bias, InitScheme scheme, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(weight);
        ArgumentNullException.ThrowIfNull(rng);
        if (scheme == InitScheme.PyTorch)
        {
            ResetParameters(weight, bias, rng);
            return;
        }

        ReadOnlySpan<int> shape = weight.Value.Shape;
        double std = Std(scheme, FanIn(shape), FanOut(shape));
        Span<float> w = weight.Value.Span;
        if (scheme is InitScheme.XavierUniform or InitScheme.KaimingUniform)
        {
            double bound = Math.Sqrt(3.0) * std;
            rng.FillUniform(w, -bound, bound);
        }
        else
        {
            for (int i = 0; i < w.Length; i++)
            {
                w[i] = (float)(std * rng.NextNormal());
            }
        }

        bias?.Value.Span.Clear();
    }

    /// <summary>
    /// The standard deviation a scheme gives the weight: <c>gain * sqrt(2 / (fan_in + fan_out))</c> with gain 1
    /// for Xavier, <c>calculate_gain('relu') / sqrt(fan_in)</c> = sqrt(2) / sqrt(fan_in) for Kaiming (a = 0, fan_in mode).
    /// A uniform scheme draws from ±sqrt(3) * std.
    /// </summary>
    /// <param name="scheme">A scheme other than <see cref="InitScheme.PyTorch"/>.</param>
    /// <param name="fanIn">The weight's fan_in.</param>
    /// <param name="fanOut">The weight's fan_out.</param>
    public static double Std(InitScheme scheme, int fanIn, int fanOut) => scheme switch
    {
        InitScheme.XavierUniform or InitScheme.XavierNormal => 1.0 * Math.Sqrt(2.0 / (fanIn + fanOut)),
        InitScheme.KaimingUniform or InitScheme.KaimingNormal => Math.Sqrt(2.0) / Math.Sqrt(fanIn),
        _ => throw new ArgumentOutOfRangeException(nameof(scheme), scheme, "PyTorch's default has no single std; see KaimingUniformBound."),
    };
}
