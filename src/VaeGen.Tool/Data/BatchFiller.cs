using System;
using VaeGen.Data;
using VaeGen.Runtime.Models;
using VaeGen.Runtime.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace VaeGen.Tool.Data;

/// <summary>
/// Fills model batches from a byte dataset in the spec's layout and value range without allocating,
/// so the training loop stays allocation-free.
/// </summary>
internal sealed class BatchFiller
{
    private readonly float _divisor;
    private readonly float _offset;

    public BatchFiller(ImageDataset dataset, InputGeometry geometry)
    {
        Dataset = dataset;
        Geometry = geometry;

        // min + byte / 255 * (max - min) as one division: byte / (255 / (max - min)) is exact for the
        // usual ranges [0, 1] (byte / 255) and [0, 255] (the byte itself), as in train_reference.py.
        _divisor = (float)(255.0 / (geometry.RangeMax - geometry.RangeMin));
        _offset = (float)geometry.RangeMin;
    }

    public ImageDataset Dataset { get; }

    public InputGeometry Geometry { get; }

    public int Count => Dataset.Count;

    /// <summary>A batch tensor in the spec's declared layout.</summary>
    public Tensor CreateBatch(int size) => Geometry.Layout == InputLayout.Nhwc
        ? new Tensor(size, Geometry.Height, Geometry.Width, Geometry.Channels)
        : new Tensor(size, Geometry.Channels, Geometry.Height, Geometry.Width);

    public void Fill(ReadOnlySpan<int> indices, Tensor batch)
    {
        Dataset.FillBatch(indices, batch, Geometry.Layout, _divisor);
        if (_offset != 0f)
        {
            TensorPrimitives.Add(batch.Span, _offset, batch.Span);
        }
    }

    /// <summary>Whether the batches come with class labels, as a conditional spec needs them.</summary>
    public bool IsConditional => Geometry.IsConditional;

    /// <summary>The labels of the images at <paramref name="indices"/> (checked against the spec's classes when the data was loaded); allocates nothing.</summary>
    public void FillLabels(ReadOnlySpan<int> indices, Span<int> labels) => Dataset.FillLabels(indices, labels);

    /// <summary>The label of image <paramref name="index"/>.</summary>
    public int Label(int index) => Dataset.Labels[index];

    /// <summary>The labels of the images first, first + 1, ...; allocates, for one-off uses as <see cref="Take"/>.</summary>
    public int[] TakeLabels(int first, int count)
    {
        var labels = new int[count];
        for (int i = 0; i < count; i++)
        {
            labels[i] = Label(first + i);
        }

        return labels;
    }

    /// <summary>A batch of the images first, first + 1, ...; allocates, for one-off uses (grids, explain).</summary>
    public Tensor Take(int first, int count)
    {
        var indices = new int[count];
        for (int i = 0; i < count; i++)
        {
            indices[i] = first + i;
        }

        Tensor batch = CreateBatch(count);
        Fill(indices, batch);
        return batch;
    }
}
