using System;

namespace VaeGen.Runtime.Models;

/// <summary>
/// An open <see cref="VaeModel.InferenceMode"/>: evaluation with the weights held constant until it is disposed.
/// </summary>
public sealed class InferenceScope : IDisposable
{
    private VaeModel? _model;

    internal InferenceScope(VaeModel model) => _model = model;

    /// <summary>Ends this scope; when it is the outermost, the model returns to the mode it was in. A second call does nothing.</summary>
    public void Dispose()
    {
        _model?.EndInferenceMode();
        _model = null;
    }
}
