using System;

namespace VaeGen.Runtime.IO;

/// <summary>One tensor's header record in a safetensors file: dtype, shape and where its bytes are.</summary>
public sealed class SafeTensorEntry
{
    private readonly int[] _shape;

    internal SafeTensorEntry(string name, SafeTensorsDType dtype, int[] shape, long begin, long end)
    {
        Name = name;
        DType = dtype;
        _shape = shape;
        Begin = begin;
        End = end;
    }

    /// <summary>The tensor's name.</summary>
    public string Name { get; }

    /// <summary>The element type.</summary>
    public SafeTensorsDType DType { get; }

    /// <summary>The dimensions; empty for a scalar.</summary>
    public ReadOnlySpan<int> Shape => _shape;

    /// <summary>Start offset in the data section.</summary>
    public long Begin { get; }

    /// <summary>End offset (exclusive) in the data section.</summary>
    public long End { get; }

    /// <summary>Number of elements.</summary>
    public long ElementCount
    {
        get
        {
            long n = 1;
            foreach (int d in _shape)
            {
                n *= d;
            }

            return n;
        }
    }
}
