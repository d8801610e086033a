namespace VaeGen.Runtime.Models;

/// <summary>
/// The order of a sample's dimensions as data arrives, and of a batch of images wherever one is read or
/// written (VaeGen.Data fills and renders batches in it); the model itself always works channels-first.
/// </summary>
public enum InputLayout
{
    /// <summary>Channels first: (B, C, H, W).</summary>
    Nchw,

    /// <summary>Channels last: (B, H, W, C), how images are usually stored.</summary>
    Nhwc,
}
