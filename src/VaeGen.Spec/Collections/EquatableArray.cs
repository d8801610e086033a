using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;

namespace VaeGen.Spec.Collections
{
    /// <summary>
    /// An immutable array with value equality, so that records holding lists compare by content.
    /// Incremental generators cache on equality: a plain array or ImmutableArray would compare by
    /// reference and defeat every cache.
    /// </summary>
    /// <typeparam name="T">The element type; must itself be value-equatable.</typeparam>
    public readonly struct EquatableArray<T> : IEquatable<EquatableArray<T>>, IReadOnlyList<T>
        where T : IEquatable<T>
    {
        private readonly T[]? _items;

        /// <summary>Wraps a copy of <paramref name="items"/>.</summary>
        public EquatableArray(IEnumerable<T> items)
        {
            _items = items.ToArray();
        }

        private EquatableArray(T[] items, bool _)
        {
            _items = items;
        }

        /// <summary>The empty array.</summary>
        public static EquatableArray<T> Empty => new EquatableArray<T>(Array.Empty<T>(), true);

        /// <summary>Number of elements.</summary>
        public int Count => _items?.Length ?? 0;

        /// <summary>The element at <paramref name="index"/>.</summary>
        public T this[int index] => (_items ?? Array.Empty<T>())[index];

        /// <summary>Creates an array that takes ownership of <paramref name="items"/> (callers must not mutate it afterwards).</summary>
        public static EquatableArray<T> FromOwned(T[] items) => new EquatableArray<T>(items, true);

        /// <inheritdoc />
        public bool Equals(EquatableArray<T> other)
        {
            var a = _items ?? Array.Empty<T>();
            var b = other._items ?? Array.Empty<T>();
            if (a.Length != b.Length)
            {
                return false;
            }

            for (int i = 0; i < a.Length; i++)
            {
                if (!EqualityComparer<T>.Default.Equals(a[i], b[i]))
                {
                    return false;
                }
            }

            return true;
        }

        /// <inheritdoc />
        public override bool Equals(object? obj) => obj is EquatableArray<T> other && Equals(other);

        /// <inheritdoc />
        public override int GetHashCode()
        {
            int hash = 17;
            foreach (var item in _items ?? Array.Empty<T>())
            {
                hash = HashCodeCombiner.Combine(hash, item is null ? 0 : item.GetHashCode());
            }

            return hash;
        }

        /// <summary>Value equality.</summary>
        public static bool operator ==(EquatableArray<T> left, EquatableArray<T> right) => left.Equals(right);

        /// <summary>Value inequality.</summary>
        public static bool operator !=(EquatableArray<T> left, EquatableArray<T> right) => !left.Equals(right);

        /// <inheritdoc />
        public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)(_items ?? Array.Empty<T>())).GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        /// <summary>A copy of the elements.</summary>
        public T[] ToArray() => (T[])(_items ?? Array.Empty<T>()).Clone();
    }

    /// <summary>Factory helpers for <see cref="EquatableArray{T}"/>.</summary>
    public static class EquatableArray
    {
        /// <summary>Wraps a copy of <paramref name="items"/>.</summary>
        public static EquatableArray<T> ToEquatableArray<T>(this IEnumerable<T> items)
            where T : IEquatable<T> => new EquatableArray<T>(items);

        /// <summary>Wraps a copy of <paramref name="items"/>.</summary>
        public static EquatableArray<T> Create<T>(params T[] items)
            where T : IEquatable<T> => new EquatableArray<T>(items);
    }
}
