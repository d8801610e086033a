namespace VaeGen.Runtime.Tensors;

/// <summary>A parameter together with its full dotted name in the model, e.g. <c>decoder.2.weight</c>.</summary>
/// <param name="Name">The full dotted name.</param>
/// <param name="Parameter">The parameter.</param>
public sealed record NamedParameter(string Name, Parameter Parameter);
