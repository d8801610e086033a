using VaeGen.Spec.Collections;

namespace VaeGen.Spec.Lowering
{
    /// <summary>
    /// One argument of a runtime constructor, as a literal: the constructor parameter it binds to,
    /// and whether source code names it (<c>stride: (2, 2)</c>) or passes it by position.
    /// </summary>
    /// <param name="Parameter">The runtime constructor's parameter name.</param>
    /// <param name="Named">True when generated source writes it as a named argument.</param>
    public abstract record ConstructionArgument(string Parameter, bool Named);

    /// <summary>An <c>int</c>.</summary>
    public sealed record IntArgument(string Parameter, bool Named, int Value) : ConstructionArgument(Parameter, Named);

    /// <summary>A <c>Size2d</c>: height and width.</summary>
    public sealed record SizeArgument(string Parameter, bool Named, int Height, int Width) : ConstructionArgument(Parameter, Named);

    /// <summary>A <c>bool</c>.</summary>
    public sealed record BoolArgument(string Parameter, bool Named, bool Value) : ConstructionArgument(Parameter, Named);

    /// <summary>A <c>double</c>.</summary>
    public sealed record DoubleArgument(string Parameter, bool Named, double Value) : ConstructionArgument(Parameter, Named);

    /// <summary>A <c>float</c>.</summary>
    public sealed record FloatArgument(string Parameter, bool Named, float Value) : ConstructionArgument(Parameter, Named);

    /// <summary>A <c>params int[]</c>, written out element by element.</summary>
    public sealed record IntListArgument(string Parameter, bool Named, EquatableArray<int> Values) : ConstructionArgument(Parameter, Named);

    /// <summary>A member of a runtime enum.</summary>
    public sealed record EnumArgument(string Parameter, bool Named, RuntimeEnumValue Value) : ConstructionArgument(Parameter, Named);

    /// <summary>The model's random stream, or a fork of it.</summary>
    public sealed record RandomArgument(string Parameter, bool Named, RandomUse Use) : ConstructionArgument(Parameter, Named);

    /// <summary>A member of a VaeGen.Runtime enum, by name.</summary>
    /// <param name="Type">The enum's name relative to the <c>VaeGen.Runtime</c> namespace, e.g. <c>Models.InputLayout</c>.</param>
    /// <param name="Member">The member's name, e.g. <c>Nhwc</c>.</param>
    public sealed record RuntimeEnumValue(string Type, string Member);
}
