using System;

namespace VaeGen.Runtime.IO;

/// <summary>The element types a safetensors header may name.</summary>
public enum SafeTensorsDType
{
    /// <summary>bool, 1 byte.</summary>
    BOOL,

    /// <summary>uint8.</summary>
    U8,

    /// <summary>int8.</summary>
    I8,

    /// <summary>int16.</summary>
    I16,

    /// <summary>uint16.</summary>
    U16,

    /// <summary>float16.</summary>
    F16,

    /// <summary>bfloat16.</summary>
    BF16,

    /// <summary>int32.</summary>
    I32,

    /// <summary>uint32.</summary>
    U32,

    /// <summary>float32.</summary>
    F32,

    /// <summary>float64.</summary>
    F64,

    /// <summary>int64.</summary>
    I64,

    /// <summary>uint64.</summary>
    U64,
}

/// <summary>Helpers for <see cref="SafeTensorsDType"/>.</summary>
public static class SafeTensorsDTypeExtensions
{
    /// <summary>Bytes per element.</summary>
    /// <param name="dtype">The type.</param>
    public static int Size(this SafeTensorsDType dtype) => dtype switch
    {
        SafeTensorsDType.BOOL or SafeTensorsDType.U8 or SafeTensorsDType.I8 => 1,
        SafeTensorsDType.I16 or SafeTensorsDType.U16 or SafeTensorsDType.F16 or SafeTensorsDType.BF16 => 2,
        SafeTensorsDType.I32 or SafeTensorsDType.U32 or SafeTensorsDType.F32 => 4,
        SafeTensorsDType.F64 or SafeTensorsDType.I64 or SafeTensorsDType.U64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, null),
    };
}
