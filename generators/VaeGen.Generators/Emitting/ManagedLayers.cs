using System;
using System.Linq;
using VaeGen.Spec.Lowering;
using static VaeGen.Generators.Emitting.ManagedNames;

namespace VaeGen.Generators.Emitting
{
    /// <summary>
    /// Renders the lowering's runtime constructions (<see cref="SpecLowering"/>) as C#: one
    /// constructor call per layer, with PyTorch's argument names and defaults spelled out, so the
    /// generated code reads like the nn.Sequential it mirrors. What each layer becomes is decided by
    /// the lowering alone; this only spells literals.
    /// </summary>
    internal static class ManagedLayers
    {
        public static string Constructor(LayerConstruction construction) =>
            "new " + Runtime + "." + construction.TypeName + "(" + string.Join(", ", construction.Arguments.Select(Argument)) + ")";

        public static string Enum(RuntimeEnumValue value) => Runtime + "." + value.Type + "." + value.Member;

        /// <summary>The stream a construction takes: the constructor's <c>rng</c> itself, or a fork of it.</summary>
        public static string Random(RandomUse use) => use switch
        {
            RandomUse.Draws => "rng",
            RandomUse.Forks => "rng.Fork()",
            _ => throw new InvalidOperationException("No stream to pass for " + use),
        };

        private static string Argument(ConstructionArgument argument) => (argument.Named ? argument.Parameter + ": " : string.Empty) + Value(argument);

        private static string Value(ConstructionArgument argument) => argument switch
        {
            IntArgument i => Literals.Long(i.Value),
            SizeArgument s => "(" + Literals.Long(s.Height) + ", " + Literals.Long(s.Width) + ")",
            BoolArgument b => b.Value ? "true" : "false",
            DoubleArgument d => Literals.Double(d.Value),
            FloatArgument f => Literals.Float(f.Value),
            IntListArgument list => string.Join(", ", list.Values.Select(v => Literals.Long(v))),
            EnumArgument e => Enum(e.Value),
            RandomArgument r => Random(r.Use),
            _ => throw new InvalidOperationException("Unhandled argument " + argument.GetType().Name),
        };
    }
}
