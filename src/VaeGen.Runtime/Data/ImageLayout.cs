namespace VaeGen.Runtime.Data;

/// <summary>The order of a batch of images in a tensor.</summary>
public enum ImageLayout
{
    /// <summary>Batch, channels, height, width: the runtime's layer order.</summary>
    Nchw,

    /// <summary>Batch, height, width, channels: how images are stored in files ("channels last").</summary>
    Nhwc,
}
