namespace VaeGen.Runtime.Models;

/// <summary>The order of a sample's dimensions as data arrives; the model itself always works channels-first.</summary>
public enum InputLayout
{
    /// <summary>Channels first: (B, C, H, W).</summary>
    Nchw,

    /// <summary>Channels last: (B, H, W, C), how images are usually stored.</summary>
    Nhwc,
}
