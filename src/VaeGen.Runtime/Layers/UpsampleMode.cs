namespace VaeGen.Runtime.Layers;

/// <summary>Interpolation for <see cref="Upsample"/>.</summary>
public enum UpsampleMode
{
    /// <summary>PyTorch's <c>nearest</c>: source index floor(dst * scale).</summary>
    Nearest,

    /// <summary>PyTorch's <c>bilinear</c> with align_corners=False.</summary>
    Bilinear,
}
