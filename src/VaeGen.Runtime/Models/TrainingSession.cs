using System;
using System.Collections.Generic;
using VaeGen.Runtime.Optim;
using VaeGen.Runtime.Tensors;

namespace VaeGen.Runtime.Models;

/// <summary>
/// Training a <see cref="VaeModel"/>: the optimizer, the count of steps taken, and the step itself.
/// <see cref="VaeModel.TrainStep(Tensor)"/> and the <c>vaegen</c> tool's training loop both step through
/// <see cref="Step(Tensor, bool)"/> (or its overload with labels), so there is one definition of a training step.
/// </summary>
/// <remarks>Allocates nothing per step once the model's buffers exist for the batch size.</remarks>
public sealed class TrainingSession
{
    /// <summary>Creates a session that steps <paramref name="model"/> with <paramref name="optimizer"/>.</summary>
    /// <param name="model">The model whose gradients the optimizer applies.</param>
    /// <param name="optimizer">An optimizer over the model's parameters.</param>
    public TrainingSession(VaeModel model, Adam optimizer)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(optimizer);
        Model = model;
        Optimizer = optimizer;
    }

    /// <summary>The model trained.</summary>
    public VaeModel Model { get; }

    /// <summary>The optimizer that applies each step's gradients.</summary>
    public Adam Optimizer { get; }

    /// <summary>
    /// The number of optimizer steps taken: the t of a schedule over training. It is the optimizer's own
    /// step count (Adam's bias-correction t, saved as <c>{param}.step</c> in its state dict), kept in one
    /// place so that a checkpoint that restores the optimizer restores it too.
    /// </summary>
    public long Steps => Optimizer.Steps;

    /// <summary>
    /// One training step: clears the gradients, runs the batch forward and backward
    /// (<see cref="VaeModel.ComputeGradients(Tensor)"/>), then lets the optimizer update the parameters.
    /// </summary>
    /// <param name="x">(B, ...InputShape) in the declared layout and value range.</param>
    /// <param name="skipNonFinite">
    /// When true, a NaN or infinite loss leaves the parameters, the optimizer state and <see cref="Steps"/>
    /// as they were (the caller sees it in the returned terms and can stop); when false the update is
    /// applied whatever the loss, as <c>optimizer.step()</c> after <c>loss.backward()</c> does.
    /// </param>
    /// <returns>The loss terms of the batch, computed before the update.</returns>
    /// <exception cref="InvalidOperationException">The model is in <see cref="VaeModel.InferenceMode"/>, which holds the weights constant.</exception>
    public LossTerms Step(Tensor x, bool skipNonFinite = false)
    {
        RefuseInsideInferenceMode();
        return Apply(Model.ComputeGradients(x), skipNonFinite);
    }

    /// <summary>
    /// One training step on a labelled batch of a conditional model (<see cref="VaeModel.ComputeGradients(Tensor, ReadOnlySpan{int})"/>,
    /// then the update), as <see cref="Step(Tensor, bool)"/>.
    /// </summary>
    /// <param name="x">(B, ...InputShape) in the declared layout and value range.</param>
    /// <param name="labels">B labels in 0..K-1, one per sample.</param>
    /// <param name="skipNonFinite">As in <see cref="Step(Tensor, bool)"/>.</param>
    /// <returns>The loss terms of the batch, computed before the update.</returns>
    /// <exception cref="InvalidOperationException">The model is in <see cref="VaeModel.InferenceMode"/>, which holds the weights constant.</exception>
    public LossTerms Step(Tensor x, ReadOnlySpan<int> labels, bool skipNonFinite = false)
    {
        RefuseInsideInferenceMode();
        return Apply(Model.ComputeGradients(x, labels), skipNonFinite);
    }

    private void RefuseInsideInferenceMode()
    {
        if (Model.InInferenceMode)
        {
            throw new InvalidOperationException(
                $"{Model.Config.Name} is in InferenceMode, which holds its weights constant: dispose the scope InferenceMode() returned before training.");
        }
    }

    private LossTerms Apply(LossTerms terms, bool skipNonFinite)
    {
        if (skipNonFinite && !terms.IsFinite)
        {
            return terms;
        }

        Optimizer.Step();
        return terms;
    }

    /// <summary>The session's state for a checkpoint: the optimizer's live entries, which include the step counts.</summary>
    public List<StateTensor> StateDict() => Optimizer.StateDict();
}
