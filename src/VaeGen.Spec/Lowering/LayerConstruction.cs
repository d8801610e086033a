using System;
using VaeGen.Spec.Collections;

namespace VaeGen.Spec.Lowering
{
    /// <summary>
    /// One runtime layer to construct: its type and the literal arguments of its constructor, in
    /// the order source code passes them.
    /// </summary>
    /// <param name="Kind">The runtime type.</param>
    /// <param name="ModuleName">PyTorch's module name, e.g. <c>encoder.0</c> or <c>fc_mu</c>.</param>
    /// <param name="Arguments">The constructor's arguments, positional ones first.</param>
    public sealed record LayerConstruction(RuntimeLayerKind Kind, string ModuleName, EquatableArray<ConstructionArgument> Arguments)
    {
        /// <summary>
        /// For <see cref="RuntimeLayerKind.Residual"/>, the layers of its body Sequential, in construction (and random draw)
        /// order; empty for every other kind.
        /// </summary>
        public EquatableArray<LayerConstruction> Body { get; init; }

        /// <summary>The runtime type's name relative to the <c>VaeGen.Runtime</c> namespace.</summary>
        public string TypeName => RuntimeTypeNames.Of(Kind);

        /// <summary>How the construction uses the random stream.</summary>
        public RandomUse Random
        {
            get
            {
                foreach (var argument in Arguments)
                {
                    if (argument is RandomArgument random)
                    {
                        return random.Use;
                    }
                }

                return RandomUse.None;
            }
        }

        /// <summary>The <c>int</c> bound to <paramref name="parameter"/>.</summary>
        public int Int(string parameter) => Get<IntArgument>(parameter).Value;

        /// <summary>The size bound to <paramref name="parameter"/>.</summary>
        public (int Height, int Width) Size(string parameter)
        {
            var size = Get<SizeArgument>(parameter);
            return (size.Height, size.Width);
        }

        /// <summary>The <c>bool</c> bound to <paramref name="parameter"/>.</summary>
        public bool Bool(string parameter) => Get<BoolArgument>(parameter).Value;

        /// <summary>The <c>double</c> bound to <paramref name="parameter"/>.</summary>
        public double Double(string parameter) => Get<DoubleArgument>(parameter).Value;

        /// <summary>The <c>float</c> bound to <paramref name="parameter"/>.</summary>
        public float Float(string parameter) => Get<FloatArgument>(parameter).Value;

        /// <summary>The <c>int</c> list bound to <paramref name="parameter"/>.</summary>
        public int[] Ints(string parameter) => Get<IntListArgument>(parameter).Values.ToArray();

        /// <summary>The enum member bound to <paramref name="parameter"/>.</summary>
        public RuntimeEnumValue Enum(string parameter) => Get<EnumArgument>(parameter).Value;

        /// <summary>The enum member bound to <paramref name="parameter"/>, or null when the construction leaves it at the runtime's default.</summary>
        public RuntimeEnumValue? OptionalEnum(string parameter)
        {
            foreach (var argument in Arguments)
            {
                if (argument.Parameter == parameter)
                {
                    return Get<EnumArgument>(parameter).Value;
                }
            }

            return null;
        }

        private T Get<T>(string parameter)
            where T : ConstructionArgument
        {
            foreach (var argument in Arguments)
            {
                if (argument.Parameter == parameter)
                {
                    return argument as T ?? throw new InvalidOperationException(TypeName + "'s argument " + parameter + " is a " + argument.GetType().Name + ", not a " + typeof(T).Name);
                }
            }

            throw new InvalidOperationException(TypeName + " has no argument " + parameter);
        }
    }
}
