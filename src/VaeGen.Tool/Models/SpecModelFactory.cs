using VaeGen.Builder;
using VaeGen.Runtime.Models;
using VaeGen.Spec.Shapes;

namespace VaeGen.Tool.Models;

/// <summary>
/// The tool's models: built at run time from a checked spec, so the tool needs no generated class.
/// <see cref="ModelBuilder"/> interprets the spec's lowering, the description the managed generator
/// renders as source, so a seed gives bit-identical weights here and in <c>new FashionMlpVae(seed)</c> (tested).
/// </summary>
internal static class SpecModelFactory
{
    /// <summary>The model with PyTorch's default initialisation drawn from <paramref name="seed"/>.</summary>
    public static VaeModel Create(ModelPlan plan, ulong seed) => ModelBuilder.Create(plan, seed);
}
