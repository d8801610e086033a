using VaeGen.Spec.Collections;

namespace VaeGen.Spec.Model
{
    /// <summary>The <c>input</c> section: per-sample shape in the declared layout, value range and scale.</summary>
    /// <param name="Shape">The per-sample shape in the order <paramref name="Layout"/> names.</param>
    /// <param name="Layout">nchw or nhwc.</param>
    /// <param name="RangeMin">Lowest value of the data as it arrives.</param>
    /// <param name="RangeMax">Highest value of the data as it arrives.</param>
    /// <param name="Scale">The model divides its input by this first.</param>
    public sealed record InputSpec(EquatableArray<long> Shape, InputLayout Layout, double RangeMin, double RangeMax, double Scale)
    {
        /// <summary>Channels.</summary>
        public long Channels => Layout == InputLayout.Nhwc ? Shape[2] : Shape[0];

        /// <summary>Height.</summary>
        public long Height => Layout == InputLayout.Nhwc ? Shape[0] : Shape[1];

        /// <summary>Width.</summary>
        public long Width => Layout == InputLayout.Nhwc ? Shape[1] : Shape[2];

        /// <summary>The per-sample shape channels first, [C, H, W], as the model works.</summary>
        public EquatableArray<long> ChannelsFirstShape => EquatableArray.Create(Channels, Height, Width);

        /// <summary>The lowest value the loss sees: range min / scale.</summary>
        public double EffectiveMin => RangeMin / Scale;

        /// <summary>The highest value the loss sees: range max / scale.</summary>
        public double EffectiveMax => RangeMax / Scale;
    }
}
