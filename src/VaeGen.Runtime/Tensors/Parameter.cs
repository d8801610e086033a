using System;

namespace VaeGen.Runtime.Tensors;

/// <summary>A trainable tensor with its accumulated gradient, named as in PyTorch (<c>weight</c>, <c>bias</c>).</summary>
public sealed class Parameter
{
    /// <summary>Creates a zero-initialised parameter and gradient.</summary>
    /// <param name="name">The local name, e.g. <c>weight</c>.</param>
    /// <param name="shape">The dimensions, in PyTorch's layout.</param>
    public Parameter(string name, params int[] shape)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Name = name;
        Value = new Tensor(shape);
        Grad = new Tensor(shape);
    }

    /// <summary>The local name, e.g. <c>weight</c>; containers add the prefix.</summary>
    public string Name { get; }

    /// <summary>The values.</summary>
    public Tensor Value { get; }

    /// <summary>The gradient; Backward adds to it, so clear it between steps.</summary>
    public Tensor Grad { get; }

    /// <summary>Sets the gradient to zero.</summary>
    public void ZeroGrad() => Grad.Clear();
}
