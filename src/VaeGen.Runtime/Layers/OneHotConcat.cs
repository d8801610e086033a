using System;
using VaeGen.Runtime.Tensors;

namespace VaeGen.Runtime.Layers;

/// <summary>
/// A conditional VAE's label input (spec 1.1 <c>condition: { classes: K }</c>): concat(v, one_hot(y, K)), a batch of flat
/// vectors (N, F) with each sample's label appended as K features, 1 at the label and 0 elsewhere. The heads read it after
/// the encoder's output and the decoder after z. The one-hot is a constant, so the gradient goes to v alone: Backward
/// returns the first F columns of the incoming gradient. Unlike a <see cref="Layer"/> it has two inputs.
/// </summary>
public sealed class OneHotConcat
{
    private Tensor? _output;
    private Tensor? _gradInput;

    /// <summary>Creates the concatenation for <paramref name="classes"/> labels.</summary>
    /// <param name="classes">K (>= 2).</param>
    public OneHotConcat(int classes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        Classes = classes;
    }

    /// <summary>K, the number of classes; labels are 0..K-1.</summary>
    public int Classes { get; }

    /// <summary>concat(v, one_hot(labels)), (N, F + K), owned by this object.</summary>
    /// <param name="v">(N, F).</param>
    /// <param name="labels">N labels in 0..K-1 (checked by the caller, which can name the batch; checked again here).</param>
    public Tensor Forward(Tensor v, ReadOnlySpan<int> labels)
    {
        ArgumentNullException.ThrowIfNull(v);
        if (v.Rank != 2 || v.Dim(0) != labels.Length)
        {
            throw new ArgumentException($"The one-hot concatenation takes (N, F) and N labels, but got {v.ShapeString()} and {labels.Length} labels.", nameof(labels));
        }

        int batch = v.Dim(0), features = v.Dim(1), width = features + Classes;
        _output = Tensor.Reuse(_output, stackalloc int[] { batch, width });
        ReadOnlySpan<float> source = v.Span;
        Span<float> output = _output.Span;
        for (int n = 0; n < batch; n++)
        {
            int label = labels[n];
            if ((uint)label >= (uint)Classes)
            {
                throw new ArgumentOutOfRangeException(nameof(labels), label, $"labels[{n}] is {label}, outside 0..{Classes - 1}.");
            }

            Span<float> row = output.Slice(n * width, width);
            source.Slice(n * features, features).CopyTo(row);
            row.Slice(features).Clear();
            row[features + label] = 1f;
        }

        return _output;
    }

    /// <summary>d loss / d v: the first F columns of d loss / d concat (the one-hot part is a constant), owned by this object.</summary>
    /// <param name="gradOutput">(N, F + K).</param>
    public Tensor Backward(Tensor gradOutput)
    {
        ArgumentNullException.ThrowIfNull(gradOutput);
        if (gradOutput.Rank != 2 || gradOutput.Dim(1) <= Classes)
        {
            throw new ArgumentException($"The gradient of a one-hot concatenation is (N, F + {Classes}), but got {gradOutput.ShapeString()}.", nameof(gradOutput));
        }

        int batch = gradOutput.Dim(0), width = gradOutput.Dim(1), features = width - Classes;
        _gradInput = Tensor.Reuse(_gradInput, stackalloc int[] { batch, features });
        ReadOnlySpan<float> source = gradOutput.Span;
        Span<float> target = _gradInput.Span;
        for (int n = 0; n < batch; n++)
        {
            source.Slice(n * width, features).CopyTo(target.Slice(n * features, features));
        }

        return _gradInput;
    }
}
