using System;

namespace VaeGen.Spec.Model
{
    /// <summary>The spec keywords of the activations.</summary>
    public static class ActivationNames
    {
        /// <summary>Every activation keyword with its kind.</summary>
        public static readonly (string Keyword, ActivationKind Kind)[] All =
        {
            ("relu", ActivationKind.Relu),
            ("sigmoid", ActivationKind.Sigmoid),
            ("tanh", ActivationKind.Tanh),
            ("gelu", ActivationKind.Gelu),
            ("silu", ActivationKind.Silu),
            ("elu", ActivationKind.Elu),
            ("leaky_relu", ActivationKind.LeakyRelu),
        };

        /// <summary>The keyword of <paramref name="kind"/>.</summary>
        public static string ToKeyword(ActivationKind kind)
        {
            foreach (var (keyword, k) in All)
            {
                if (k == kind)
                {
                    return keyword;
                }
            }

            throw new ArgumentOutOfRangeException(nameof(kind));
        }
    }
}
