using VaeGen.Spec.Model;
using RuntimeLayout = VaeGen.Runtime.Models.InputLayout;

namespace VaeGen.Tool.Data;

/// <summary>
/// What a spec's input needs from image data: size, channels, layout and the value range the bytes
/// 0..255 are mapped to. Batches are filled as <c>min + byte / 255 * (max - min)</c>, the mapping
/// tools/torch/train_reference.py uses, so both see identical numbers (for [0, 255] the byte itself).
/// </summary>
internal sealed record InputGeometry(int Height, int Width, int Channels, RuntimeLayout Layout, double RangeMin, double RangeMax)
{
    public static InputGeometry Of(VaeSpec spec) => new(
        (int)spec.Input.Height, (int)spec.Input.Width, (int)spec.Input.Channels,
        spec.Input.Layout == InputLayout.Nhwc ? RuntimeLayout.Nhwc : RuntimeLayout.Nchw,
        spec.Input.RangeMin, spec.Input.RangeMax);

    /// <summary>"28x28 grayscale", as image files are described.</summary>
    public string Describe() => Width + "x" + Height + " " + ChannelWord(Channels);

    public static string ChannelWord(int channels) => channels switch
    {
        1 => "grayscale",
        2 => "gray+alpha",
        3 => "RGB",
        4 => "RGBA",
        _ => channels + "-channel",
    };
}
