using System;
using System.Collections.Generic;
using VaeGen.Runtime.Layers.Activations;
using VaeGen.Runtime.Tensors;

namespace VaeGen.Runtime.Layers;

/// <summary>
/// Layers applied in order, as <c>torch.nn.Sequential</c>. Children are named "0", "1", ... unless
/// given names, so state-dict keys match PyTorch's (e.g. <c>3.weight</c>, <c>encoder.0.bias</c>).
/// </summary>
public sealed class Sequential : Layer
{
    private readonly List<(string Name, Layer Layer)> _children = new();

    /// <summary>Per child: the epilogue last fused after it (a convolution), kept so steady passes allocate nothing.</summary>
    private readonly List<InferenceEpilogue?> _epilogues = new();

    /// <summary>The children after which the last forward pass fused an epilogue, in order; empty when it fused none.</summary>
    private readonly List<int> _fusedAfter = new();

    /// <summary>How many batch norms the last training forward had run the activation after them too.</summary>
    private int _normsWithActivation;

    /// <summary>Creates a container of layers named by position.</summary>
    /// <param name="layers">The layers, in order.</param>
    public Sequential(params Layer[] layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        foreach (Layer layer in layers)
        {
            Add(layer);
        }
    }

    /// <summary>The children with their names, in order.</summary>
    public IReadOnlyList<(string Name, Layer Layer)> Children => _children;

    /// <summary>Appends a layer named by its position.</summary>
    /// <param name="layer">The layer.</param>
    public Sequential Add(Layer layer) => Add(_children.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), layer);

    /// <summary>Appends a named layer.</summary>
    /// <param name="name">The child name used in state-dict keys.</param>
    /// <param name="layer">The layer.</param>
    public Sequential Add(string name, Layer layer)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(layer);
        foreach ((string existing, _) in _children)
        {
            if (existing == name)
            {
                throw new ArgumentException($"Sequential already has a child named '{name}'.", nameof(name));
            }
        }

        _children.Add((name, layer));
        _epilogues.Add(null);
        layer.SetTraining(Training);
        if (!ComputeInputGradient)
        {
            ApplyInputGradientSetting();
        }

        return this;
    }

    /// <inheritdoc />
    /// <remarks>
    /// Setting it sets the same value on each child from the first up to and including the first
    /// child that has parameters (nested containers count as having parameters if any descendant
    /// has, and apply the rule inside); later children keep theirs, since the first parameterised
    /// child needs d loss / d its output. Children added later follow the same rule.
    /// </remarks>
    public override bool ComputeInputGradient
    {
        get => base.ComputeInputGradient;
        set
        {
            base.ComputeInputGradient = value;
            ApplyInputGradientSetting();
        }
    }

    /// <summary>
    /// Whether an evaluation-mode forward fuses a batch norm and/or ReLU-like activation into the convolution before
    /// them, and a ReLU-like activation into the linear layer before it (<see cref="InferenceEpilogue"/>; the same bits
    /// either way). Tests and benchmarks turn it off to compare.
    /// </summary>
    internal bool FusesInference { get; set; } = true;

    /// <summary>
    /// Whether a training forward runs a 2-D batch norm and the ReLU or leaky ReLU after it in one pass
    /// (<see cref="BatchNorm.ForwardWithActivation"/>; the activation's backward then reads its output, with the same bits).
    /// Tests and benchmarks turn it off to compare.
    /// </summary>
    internal bool FusesTraining { get; set; } = true;

    /// <summary>How many batch norm and activation pairs the last forward ran as one (for tests).</summary>
    internal int NormsWithActivation => _normsWithActivation;

    /// <inheritdoc />
    /// <remarks>
    /// In evaluation mode a convolution followed by a batch norm and/or an activation whose bits do not depend on position
    /// (ReLU, leaky ReLU) runs them on each sample as soon as the convolution has written it, instead of as two more
    /// passes over the whole batch (<see cref="InferenceEpilogue"/>); a linear layer followed by such an activation has each
    /// thread of its product apply it to the part it computed. In training a 2-D batch norm followed by a ReLU or leaky
    /// ReLU activates each plane as it normalises it (<see cref="BatchNorm.ForwardWithActivation"/>). The result is the
    /// same bits in the same tensor.
    /// </remarks>
    public override Tensor Forward(Tensor input)
    {
        _fusedAfter.Clear();
        _normsWithActivation = 0;
        Tensor x = input;
        for (int i = 0; i < _children.Count; i++)
        {
            if (Training && FusesTraining && i + 1 < _children.Count && _children[i].Layer is BatchNorm norm
                && norm.FusesInTraining(x, _children[i + 1].Layer))
            {
                // A 2-D batch norm's output is as large as the convolution's before it (VanillaVAE's last: 16 MB), and
                // the activation read it back and wrote it again; here each plane is activated while in cache.
                x = norm.ForwardWithActivation(x, (ElementwiseActivation)_children[i + 1].Layer);
                _normsWithActivation++;
                i++;
                continue;
            }

            if (!Training && FusesInference && InferenceEpilogue.After(_children, i, _epilogues[i]) is { } epilogue)
            {
                _epilogues[i] = epilogue;
                x = epilogue.ForwardFused(_children, i, x);
                _fusedAfter.Add(i);
                i += epilogue.Layers;
                continue;
            }

            x = _children[i].Layer.Forward(x);
        }

        return x;
    }

    /// <inheritdoc />
    /// <remarks>After a fused forward, each fused convolution or linear layer and the layers after it run their own forwards first, so that
    /// each layer's backward finds what its forward keeps; they write the values the fused pass wrote.</remarks>
    public override Tensor Backward(Tensor gradOutput) => Backward(gradOutput, consumable: false);

    /// <inheritdoc />
    internal override Tensor BackwardConsuming(Tensor gradOutput) => Backward(gradOutput, consumable: true);

    /// <summary>
    /// Each child's input gradient goes to the child before it to be consumed (<see cref="Layer.BackwardConsuming"/>):
    /// nobody reads it again. Only a gradient that shares storage with one the caller still owns is passed on as it is:
    /// <paramref name="gradOutput"/> itself, unless <paramref name="consumable"/>, and what a view or an identity layer
    /// returned of it.
    /// </summary>
    private Tensor Backward(Tensor gradOutput, bool consumable)
    {
        foreach (int i in _fusedAfter)
        {
            _epilogues[i]!.RunLayers(_children, i);
        }

        _fusedAfter.Clear();
        Tensor g = gradOutput;
        for (int i = _children.Count - 1; i >= 0; i--)
        {
            Layer child = _children[i].Layer;
            Tensor inputGradient = consumable ? child.BackwardConsuming(g) : child.Backward(g);
            consumable |= !ReferenceEquals(inputGradient.Data, g.Data);
            g = inputGradient;
        }

        return g;
    }

    private void ApplyInputGradientSetting()
    {
        bool value = ComputeInputGradient;
        foreach ((_, Layer layer) in _children)
        {
            layer.ComputeInputGradient = value;
            if (layer.NamedParameters().Count > 0)
            {
                break;
            }
        }
    }

    /// <inheritdoc />
    public override IEnumerable<Layer> Modules()
    {
        yield return this;
        foreach ((_, Layer layer) in _children)
        {
            foreach (Layer inner in layer.Modules())
            {
                yield return inner;
            }
        }
    }

    /// <inheritdoc />
    public override void SetTraining(bool training)
    {
        base.SetTraining(training);
        foreach ((_, Layer layer) in _children)
        {
            layer.SetTraining(training);
        }
    }

    /// <inheritdoc />
    public override void CollectParameters(string prefix, List<NamedParameter> into)
    {
        foreach ((string name, Layer layer) in _children)
        {
            layer.CollectParameters(prefix + name + ".", into);
        }
    }

    /// <inheritdoc />
    public override void CollectState(string prefix, List<StateTensor> into)
    {
        foreach ((string name, Layer layer) in _children)
        {
            layer.CollectState(prefix + name + ".", into);
        }
    }

    /// <inheritdoc />
    public override void ZeroGrad()
    {
        foreach ((_, Layer layer) in _children)
        {
            layer.ZeroGrad();
        }
    }
}
