using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using Google.Protobuf;
using Onnx;

namespace VaeGen.Onnx;

/// <summary>
/// One ONNX graph under construction: nodes in topological order (each is added after its inputs
/// exist), initializers, and the graph's inputs and outputs. A thin layer over the message classes
/// protoc generates from Proto/onnx.proto: it only fills in fields, Google.Protobuf encodes them.
/// </summary>
internal sealed class OnnxGraph
{
    /// <summary>The symbolic name of every graph's first dimension: any batch size runs.</summary>
    public const string BatchDimension = "batch";

    private readonly GraphProto _graph;
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);

    public OnnxGraph(string name)
    {
        _graph = new GraphProto { Name = name };
    }

    public GraphProto Proto => _graph;

    /// <summary>A float input shaped (batch, <paramref name="sample"/>...).</summary>
    public string AddInput(string name, IReadOnlyList<int> sample, string doc)
    {
        Claim(name);
        _graph.Input.Add(FloatValue(name, sample, doc));
        return name;
    }

    /// <summary>An int64 input shaped (batch): a conditional VAE's labels.</summary>
    public string AddInt64Input(string name, string doc)
    {
        Claim(name);
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = BatchDimension });
        _graph.Input.Add(new ValueInfoProto
        {
            Name = name,
            DocString = doc,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Int64, Shape = shape } },
        });
        return name;
    }

    /// <summary>Makes <paramref name="value"/> a graph output named <paramref name="name"/> shaped (batch, <paramref name="sample"/>...).</summary>
    public void AddOutput(string value, string name, IReadOnlyList<int> sample, string doc)
    {
        if (value != name && Node("Identity", [value], name) != name)
        {
            throw new InvalidOperationException("The ONNX graph " + _graph.Name + " already has a value named " + name);
        }

        _graph.Output.Add(FloatValue(name, sample, doc));
    }

    /// <summary>A float32 initializer (a weight, a constant) with the given dims.</summary>
    public string AddFloats(string name, ReadOnlySpan<int> dims, ReadOnlySpan<float> values)
    {
        if (!BitConverter.IsLittleEndian)
        {
            // raw_data is little-endian by the ONNX spec; every platform .NET runs VaeGen on is.
            throw new PlatformNotSupportedException("ONNX export needs a little-endian machine.");
        }

        var tensor = Tensor(Unique(name), dims, TensorProto.Types.DataType.Float);
        tensor.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values));
        _graph.Initializer.Add(tensor);
        return tensor.Name;
    }

    /// <summary>A 1-d int64 initializer (shapes, axes).</summary>
    public string AddInt64s(string name, params long[] values)
    {
        var tensor = Tensor(Unique(name), [values.Length], TensorProto.Types.DataType.Int64);
        tensor.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan()));
        _graph.Initializer.Add(tensor);
        return tensor.Name;
    }

    /// <summary>A float scalar initializer.</summary>
    public string AddScalar(string name, float value)
    {
        var tensor = Tensor(Unique(name), ReadOnlySpan<int>.Empty, TensorProto.Types.DataType.Float);
        tensor.RawData = ByteString.CopyFrom(BitConverter.GetBytes(value));
        _graph.Initializer.Add(tensor);
        return tensor.Name;
    }

    /// <summary>Adds a node with one output named after <paramref name="output"/> (made unique) and returns that name.</summary>
    public string Node(string opType, IReadOnlyList<string> inputs, string output, params AttributeProto[] attributes)
    {
        string name = Unique(output);
        var node = new NodeProto { OpType = opType, Name = name };
        node.Input.AddRange(inputs);
        node.Output.Add(name);
        node.Attribute.AddRange(attributes);
        _graph.Node.Add(node);
        return name;
    }

    public static AttributeProto Int(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto Float(string name, float value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    public static AttributeProto String(string name, string value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };

    public static AttributeProto Ints(string name, params long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }

    private static TensorProto Tensor(string name, ReadOnlySpan<int> dims, TensorProto.Types.DataType type)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)type };
        foreach (int d in dims)
        {
            tensor.Dims.Add(d);
        }

        return tensor;
    }

    private static ValueInfoProto FloatValue(string name, IReadOnlyList<int> sample, string doc)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = BatchDimension });
        foreach (int d in sample)
        {
            shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        }

        return new ValueInfoProto
        {
            Name = name,
            DocString = doc,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
        };
    }

    private void Claim(string name)
    {
        if (!_names.Add(name))
        {
            throw new InvalidOperationException("The ONNX graph " + _graph.Name + " already has a value named " + name);
        }
    }

    private string Unique(string name)
    {
        string candidate = name;
        for (int i = 1; !_names.Add(candidate); i++)
        {
            candidate = name + "_" + i;
        }

        return candidate;
    }
}
