using System;

namespace VaeGen.Spec.Model
{
    /// <summary>A (height, width) pair: kernels, strides, paddings. Written in a spec as one int or as [h, w].</summary>
    public readonly struct Size2 : IEquatable<Size2>
    {
        /// <summary>Creates a pair.</summary>
        public Size2(long height, long width)
        {
            Height = height;
            Width = width;
        }

        /// <summary>The height component.</summary>
        public long Height { get; }

        /// <summary>The width component.</summary>
        public long Width { get; }

        /// <summary>True when both components are equal.</summary>
        public bool IsSquare => Height == Width;

        /// <summary>The same value in both components.</summary>
        public static Size2 Square(long value) => new Size2(value, value);

        /// <inheritdoc />
        public bool Equals(Size2 other) => Height == other.Height && Width == other.Width;

        /// <inheritdoc />
        public override bool Equals(object? obj) => obj is Size2 other && Equals(other);

        /// <inheritdoc />
        public override int GetHashCode() => unchecked((Height.GetHashCode() * 397) ^ Width.GetHashCode());

        /// <summary>"3" when square, else "3x5".</summary>
        public override string ToString() => IsSquare ? Height.ToString(System.Globalization.CultureInfo.InvariantCulture) : ToPairString("x");

        /// <summary>"3x3" (or with another separator), always both components.</summary>
        public string ToPairString(string separator) =>
            Height.ToString(System.Globalization.CultureInfo.InvariantCulture) + separator + Width.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
