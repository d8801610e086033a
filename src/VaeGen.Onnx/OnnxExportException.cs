using System;

namespace VaeGen.Onnx;

/// <summary>
/// The model cannot be exported as it is: a layer ONNX (opset <see cref="VaeOnnx.OpsetVersion"/>) cannot
/// express exactly, or a model object that does not match its spec. The message names the layer
/// (<c>decoder.3</c>) and why; no file is written.
/// </summary>
public sealed class OnnxExportException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="moduleName">PyTorch's module name of the layer, e.g. <c>encoder.2</c>, or null when no single layer is at fault.</param>
    /// <param name="message">What cannot be exported and why.</param>
    public OnnxExportException(string? moduleName, string message)
        : base(message)
    {
        ModuleName = moduleName;
    }

    /// <summary>The layer at fault (PyTorch's module name), or null.</summary>
    public string? ModuleName { get; }
}
