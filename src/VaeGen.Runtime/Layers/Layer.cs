using System;
using System.Collections.Generic;
using VaeGen.Runtime.Tensors;

namespace VaeGen.Runtime.Layers;

/// <summary>
/// A differentiable building block with an explicit forward and backward pass.
/// </summary>
/// <remarks>
/// <para>
/// Forward remembers what Backward needs (usually the input); Backward must follow the Forward
/// whose gradient it computes. The tensor Forward returns is owned by the layer and is overwritten
/// by the next Forward, and likewise for Backward: this is what makes the steady-state training
/// step allocation-free. Copy a result if it must outlive the next call.
/// </para>
/// <para>Backward adds parameter gradients into <see cref="Parameter.Grad"/>, as autograd does.</para>
/// </remarks>
public abstract class Layer
{
    /// <summary>Whether the layer is in training mode (PyTorch's <c>module.training</c>); true when created.</summary>
    public bool Training { get; private set; } = true;

    /// <summary>
    /// What <see cref="Backward"/> returns when <see cref="ComputeInputGradient"/> is false: one shared
    /// empty tensor (shape [0], <see cref="Tensor.Length"/> 0). Test with
    /// <c>ReferenceEquals(g, Layer.NoInputGradient)</c> or <c>g.Length == 0</c>.
    /// </summary>
    public static Tensor NoInputGradient { get; } = new(0);

    /// <summary>
    /// Whether <see cref="Backward"/> computes d loss / d input; true when created.
    /// </summary>
    /// <remarks>
    /// <para>
    /// The first layer of an encoder sees the data, a leaf PyTorch does not differentiate, so its
    /// input gradient is pure waste (for a convolution, a GEMM plus col2im). With this false,
    /// Backward still adds every parameter gradient exactly as before, but skips the input
    /// gradient and returns <see cref="NoInputGradient"/>; parameter-free layers then do no
    /// work at all and do not look at <c>gradOutput</c>, so they may be handed that empty tensor.
    /// </para>
    /// <para>
    /// <see cref="Sequential"/> passes the setting on to its leading children up to and including
    /// the first that has parameters (later ones must still differentiate their input for it).
    /// </para>
    /// </remarks>
    public virtual bool ComputeInputGradient { get; set; } = true;

    /// <summary>Computes the output.</summary>
    /// <param name="input">The input; kept by reference until Backward.</param>
    /// <returns>A tensor owned by this layer.</returns>
    public abstract Tensor Forward(Tensor input);

    /// <summary>Propagates the gradient of the loss w.r.t. the output to the input and parameters.</summary>
    /// <param name="gradOutput">d loss / d output, shaped like the last output.</param>
    /// <returns>
    /// d loss / d input, owned by this layer; <see cref="NoInputGradient"/> when
    /// <see cref="ComputeInputGradient"/> is false.
    /// </returns>
    public abstract Tensor Backward(Tensor gradOutput);

    /// <summary>
    /// <see cref="Backward"/> for a caller that is done with <paramref name="gradOutput"/>: a <see cref="Sequential"/>
    /// handing one child's input gradient, a buffer nobody reads again, to the child before it. A layer whose input
    /// gradient has its output's shape and is formed element by element (an activation, batch norm, dropout) writes it
    /// over <paramref name="gradOutput"/> and returns that tensor instead of filling a buffer of its own. The bits are
    /// the same; what is saved is one gradient-sized buffer per such layer (VanillaVAE: two of every three in a
    /// conv-batchnorm-activation block).
    /// </summary>
    /// <param name="gradOutput">d loss / d output, shaped like the last output; may be overwritten.</param>
    /// <returns>As <see cref="Backward"/>; possibly <paramref name="gradOutput"/> itself.</returns>
    internal virtual Tensor BackwardConsuming(Tensor gradOutput) => Backward(gradOutput);

    /// <summary>Switches training mode on or off, for this layer and its children.</summary>
    /// <param name="training">True for training (batch statistics, dropout), false for evaluation.</param>
    public virtual void SetTraining(bool training) => Training = training;

    /// <summary>Switches to evaluation mode.</summary>
    public void Eval() => SetTraining(false);

    /// <summary>
    /// Whether the weights are held constant (<see cref="Models.VaeModel.InferenceMode"/>): a layer may then pack a weight
    /// for its matrix products once and reuse it on later passes instead of packing it on every pass.
    /// </summary>
    internal bool WeightsConstant { get; private set; }

    /// <summary>Holds this layer's weights constant, or lets them change again; either way, what it packed from them is dropped.</summary>
    /// <param name="constant">Whether the weights stay as they are until the next call.</param>
    internal void HoldWeightsConstant(bool constant)
    {
        WeightsConstant = constant;
        DropWeightPacks();
    }

    /// <summary>Forgets whatever the layer packed from its weights while they were held constant; nothing by default.</summary>
    private protected virtual void DropWeightPacks()
    {
    }

    /// <summary>This layer and every layer inside it, depth first, as PyTorch's <c>modules()</c>.</summary>
    public virtual IEnumerable<Layer> Modules()
    {
        yield return this;
    }

    /// <summary>This layer's own parameters in PyTorch's registration order.</summary>
    public virtual IReadOnlyList<Parameter> Parameters => Array.Empty<Parameter>();

    /// <summary>Adds every parameter with its dotted name (as <c>named_parameters()</c>).</summary>
    /// <param name="prefix">The name prefix, empty or ending in a dot.</param>
    /// <param name="into">The list to append to.</param>
    public virtual void CollectParameters(string prefix, List<NamedParameter> into)
    {
        ArgumentNullException.ThrowIfNull(into);
        foreach (Parameter p in Parameters)
        {
            into.Add(new NamedParameter(prefix + p.Name, p));
        }
    }

    /// <summary>Adds every parameter and buffer with its dotted name, in <c>state_dict()</c> order.</summary>
    /// <param name="prefix">The name prefix, empty or ending in a dot.</param>
    /// <param name="into">The list to append to.</param>
    public virtual void CollectState(string prefix, List<StateTensor> into)
    {
        ArgumentNullException.ThrowIfNull(into);
        foreach (Parameter p in Parameters)
        {
            into.Add(StateTensor.Of(prefix + p.Name, p.Value));
        }
    }

    /// <summary>All parameters with their dotted names.</summary>
    public List<NamedParameter> NamedParameters()
    {
        var list = new List<NamedParameter>();
        CollectParameters(string.Empty, list);
        return list;
    }

    /// <summary>All parameters and buffers with their dotted names, as PyTorch's <c>state_dict()</c>.</summary>
    public List<StateTensor> StateDict()
    {
        var list = new List<StateTensor>();
        CollectState(string.Empty, list);
        return list;
    }

    /// <summary>Clears the gradients of this layer's parameters and its children's.</summary>
    public virtual void ZeroGrad()
    {
        foreach (Parameter p in Parameters)
        {
            p.ZeroGrad();
        }
    }

    /// <summary>Throws unless Forward has run, naming the layer.</summary>
    /// <param name="saved">What Forward saved.</param>
    /// <returns><paramref name="saved"/>, non-null.</returns>
    protected T RequireForward<T>(T? saved)
        where T : class
        => saved ?? throw new InvalidOperationException($"{GetType().Name}.Backward called before Forward.");

    /// <summary>Throws unless the gradient has the shape of the last output.</summary>
    /// <param name="gradOutput">The incoming gradient.</param>
    /// <param name="output">The last output.</param>
    protected void RequireSameShape(Tensor gradOutput, Tensor output)
    {
        ArgumentNullException.ThrowIfNull(gradOutput);
        if (!gradOutput.HasShape(output.Shape))
        {
            throw new ArgumentException(
                $"{GetType().Name}.Backward: gradient shape {gradOutput.ShapeString()} differs from output shape {output.ShapeString()}.");
        }
    }
}
