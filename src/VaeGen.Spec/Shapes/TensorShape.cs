using System;
using System.Globalization;
using System.Text;
using VaeGen.Spec.Collections;

namespace VaeGen.Spec.Shapes
{
    /// <summary>A per-sample tensor shape, channels first: [C, H, W] for images, [N] for flat vectors, [] for scalars.</summary>
    public readonly struct TensorShape : IEquatable<TensorShape>
    {
        /// <summary>Creates a shape.</summary>
        public TensorShape(EquatableArray<long> dimensions)
        {
            Dimensions = dimensions;
        }

        /// <summary>The sizes, outermost first.</summary>
        public EquatableArray<long> Dimensions { get; }

        /// <summary>Number of dimensions.</summary>
        public int Rank => Dimensions.Count;

        /// <summary>True for [N].</summary>
        public bool IsFlat => Rank == 1;

        /// <summary>True for [C, H, W].</summary>
        public bool IsImage => Rank == 3;

        /// <summary>The element count, computed with overflow checks.</summary>
        public long ElementCount
        {
            get
            {
                long count = 1;
                foreach (long d in Dimensions)
                {
                    count = checked(count * d);
                }

                return count;
            }
        }

        /// <summary>A flat vector [n].</summary>
        public static TensorShape Flat(long n) => new TensorShape(EquatableArray.Create(n));

        /// <summary>An image [c, h, w].</summary>
        public static TensorShape Image(long c, long h, long w) => new TensorShape(EquatableArray.Create(c, h, w));

        /// <summary>Any shape.</summary>
        public static TensorShape Of(params long[] dimensions) => new TensorShape(EquatableArray.Create(dimensions));

        /// <inheritdoc />
        public bool Equals(TensorShape other) => Dimensions.Equals(other.Dimensions);

        /// <inheritdoc />
        public override bool Equals(object? obj) => obj is TensorShape other && Equals(other);

        /// <inheritdoc />
        public override int GetHashCode() => Dimensions.GetHashCode();

        /// <summary>"[3, 5, 5]", PyTorch's way of printing sizes.</summary>
        public override string ToString() => Format(Dimensions);

        /// <summary>Formats sizes as "[3, 5, 5]".</summary>
        public static string Format(EquatableArray<long> dimensions)
        {
            var sb = new StringBuilder("[");
            for (int i = 0; i < dimensions.Count; i++)
            {
                if (i > 0)
                {
                    sb.Append(", ");
                }

                sb.Append(dimensions[i].ToString(CultureInfo.InvariantCulture));
            }

            return sb.Append(']').ToString();
        }
    }
}
