namespace VaeGen.Spec.Collections
{
    /// <summary>
    /// Order-dependent hash combination; netstandard2.0 has no System.HashCode and the generator
    /// must not take another dependency just for this.
    /// </summary>
    internal static class HashCodeCombiner
    {
        public static int Combine(int seed, int value)
        {
            unchecked
            {
                return (seed * 31) + value;
            }
        }
    }
}
