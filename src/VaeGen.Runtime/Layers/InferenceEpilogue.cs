using System;
using System.Collections.Generic;
using System.Diagnostics;
using VaeGen.Runtime.Kernels;
using VaeGen.Runtime.Layers.Activations;
using VaeGen.Runtime.Tensors;

namespace VaeGen.Runtime.Layers;

/// <summary>
/// An evaluation-mode batch norm and/or activation after a convolution, applied by the convolution to each sample of
/// its output as soon as the sample is done, while it is still in cache (see <see cref="Sequential"/>); or an activation
/// after a linear layer, applied by each thread of the product to its part of the output (<see cref="IProductEpilogue"/>).
/// </summary>
/// <remarks>
/// <para>
/// Unfused, each of the two layers is a pass over the whole batch's activations, which outgrow the caches: VanillaVAE's
/// decoder.14 output is 16 MB at batch 32. Skipping both passes made VanillaVAE's evaluation forward 1.2x faster
/// (docs/performance.md); fused, they become one pass over a sample the convolution has just written.
/// </para>
/// <para>
/// The convolution writes its output where the last fused layer's own forward writes it, and the fused layers then
/// change each sample in place, each value going through the same operations as in those layers' forwards (<see cref="BatchNorm.ApplyEvaluation"/>, then
/// <see cref="ElementwiseActivation.ApplyTo"/> of an activation whose bits do not depend on where a value lies in
/// its span), so fusing changes no bit and the result is the same tensor. The layers themselves do not see the pass: a
/// backward after it first runs the convolution and their forwards again (<see cref="Sequential.Backward"/>).
/// </para>
/// </remarks>
internal sealed class InferenceEpilogue : IProductEpilogue
{
    private readonly BatchNorm? _norm;
    private readonly ElementwiseActivation? _activation;
    private Tensor? _destination;
    private int _channels;
    private int _area;

    private InferenceEpilogue(BatchNorm? norm, ElementwiseActivation? activation)
    {
        _norm = norm;
        _activation = activation;
        Layers = (norm is null ? 0 : 1) + (activation is null ? 0 : 1);
    }

    /// <summary>How many layers after the fused convolution or linear layer it stands for (1 or 2).</summary>
    public int Layers { get; }

    /// <summary>The fused layers' output, the buffer the last of them returns (after <see cref="Prepare"/>).</summary>
    public Tensor Destination => _destination ?? throw new InvalidOperationException("InferenceEpilogue.Prepare has not run.");

    /// <summary>
    /// The epilogue the layers after <paramref name="layers"/>[<paramref name="at"/>] form when that layer is a convolution
    /// (<see cref="Find(IReadOnlyList{ValueTuple{string, Layer}}, int, int, InferenceEpilogue?)"/>) or a linear layer
    /// (<see cref="FindAfterLinear"/>); null for any other layer, or when nothing after it fuses.
    /// </summary>
    /// <param name="layers">The container's children.</param>
    /// <param name="at">The index of the layer the epilogue would follow.</param>
    /// <param name="cached">The epilogue made for these children before, reused when it still fits.</param>
    /// <returns>The epilogue, or null.</returns>
    public static InferenceEpilogue? After(IReadOnlyList<(string Name, Layer Layer)> layers, int at, InferenceEpilogue? cached) => layers[at].Layer switch
    {
        Convolution convolution => Find(layers, at + 1, convolution.OutChannels, cached),
        Linear => FindAfterLinear(layers, at + 1, cached),
        _ => null,
    };

    /// <summary>
    /// The epilogue the layers after a convolution of <paramref name="channels"/> output channels can form, from
    /// <paramref name="next"/> on: an evaluation-mode <see cref="BatchNorm2d"/> over those channels, an activation whose
    /// bits do not depend on position, or the one followed by the other; null when neither follows.
    /// </summary>
    /// <param name="layers">The container's children.</param>
    /// <param name="next">The index after the convolution's.</param>
    /// <param name="channels">The convolution's output channels.</param>
    /// <param name="cached">The epilogue made for these children before, reused when it still fits.</param>
    public static InferenceEpilogue? Find(IReadOnlyList<(string Name, Layer Layer)> layers, int next, int channels, InferenceEpilogue? cached)
    {
        BatchNorm? norm = next < layers.Count && layers[next].Layer is BatchNorm b && b.FusesAfter(channels) ? b : null;
        return Find(layers, next, norm, cached);
    }

    /// <summary>
    /// The epilogue the layers after a linear layer can form, from <paramref name="next"/> on: an activation whose bits
    /// do not depend on position; null when none follows. (A batch norm is not fused here: it needs a value's feature.)
    /// </summary>
    /// <param name="layers">The container's children.</param>
    /// <param name="next">The index after the linear layer's.</param>
    /// <param name="cached">The epilogue made for these children before, reused when it still fits.</param>
    /// <returns>The epilogue, or null.</returns>
    public static InferenceEpilogue? FindAfterLinear(IReadOnlyList<(string Name, Layer Layer)> layers, int next, InferenceEpilogue? cached) =>
        Find(layers, next, norm: null, cached);

    private static InferenceEpilogue? Find(IReadOnlyList<(string Name, Layer Layer)> layers, int next, BatchNorm? norm, InferenceEpilogue? cached)
    {
        int after = next + (norm is null ? 0 : 1);
        ElementwiseActivation? activation = after < layers.Count && layers[after].Layer is ElementwiseActivation a && a.SameBitsAnywhere ? a : null;
        if (norm is null && activation is null)
        {
            return null;
        }

        return cached is not null && cached._norm == norm && cached._activation == activation ? cached : new InferenceEpilogue(norm, activation);
    }

    /// <summary>Readies a pass whose output has <paramref name="shape"/>: the batch norm's folded statistics; returns the buffer the fused layer writes.</summary>
    /// <param name="shape">The output shape: a convolution's [N, C, H, W], or a linear layer's.</param>
    public Tensor Prepare(ReadOnlySpan<int> shape)
    {
        _norm?.PrepareEvaluation();
        if (shape.Length == 4)
        {
            // A convolution's output: Apply(sample) runs over its channel planes. A linear layer's output has no planes.
            (_channels, _area) = (shape[1], shape[2] * shape[3]);
        }

        return _destination = _activation is not null ? _activation.ReuseOutput(shape) : _norm!.ReuseOutput(shape);
    }

    /// <summary>Applies the fused layers, in place, to one sample the convolution has just written to <see cref="Destination"/>.</summary>
    /// <param name="sample">The sample.</param>
    public void Apply(int sample)
    {
        int area = _area;
        Span<float> values = Destination.Data.AsSpan(sample * _channels * area, _channels * area);
        if (_norm is not null)
        {
            for (int c = 0; c < _channels; c++)
            {
                Span<float> plane = values.Slice(c * area, area);
                _norm.ApplyEvaluation(c, plane, plane);
            }
        }

        _activation?.ApplyTo(values, values);
    }

    /// <summary>The activation over values a linear layer's product has just finished (an epilogue of only an activation).</summary>
    /// <param name="values">Finished values of the destination.</param>
    void IProductEpilogue.Apply(Span<float> values)
    {
        Debug.Assert(_norm is null && _activation is not null, "A linear layer's epilogue is one activation.");
        _activation!.ApplyTo(values, values);
    }

    /// <summary>
    /// Runs <paramref name="layers"/>[<paramref name="at"/>] (the convolution or linear layer this epilogue was found
    /// after) with the fused layers inside its pass; returns the buffer the last fused layer's own forward returns.
    /// </summary>
    /// <param name="layers">The container's children.</param>
    /// <param name="at">The fused layer's index.</param>
    /// <param name="x">Its input.</param>
    public Tensor ForwardFused(IReadOnlyList<(string Name, Layer Layer)> layers, int at, Tensor x) => layers[at].Layer switch
    {
        Convolution convolution => convolution.Forward(x, this),
        Linear linear => linear.Forward(x, this),
        Layer other => throw new InvalidOperationException($"{other.GetType().Name} fuses no layers after it."),
    };

    /// <summary>
    /// Runs the convolution or linear layer and the fused layers again, unfused, so each layer's backward finds what its
    /// forward keeps; the last of them writes the values the fused pass wrote, into the same buffer.
    /// </summary>
    /// <param name="layers">The container's children.</param>
    /// <param name="at">The fused convolution's or linear layer's index.</param>
    public void RunLayers(IReadOnlyList<(string Name, Layer Layer)> layers, int at)
    {
        Tensor x = layers[at].Layer switch
        {
            Convolution convolution => convolution.Forward(convolution.LastInput),
            Linear linear => linear.Forward(linear.LastInput),
            Layer other => throw new InvalidOperationException($"{other.GetType().Name} fuses no layers after it."),
        };
        for (int i = at + 1; i <= at + Layers; i++)
        {
            x = layers[i].Layer.Forward(x);
        }
    }
}
