using VaeGen.Builder;
using VaeGen.Spec.Lowering;
using VaeGen.Spec.Model;
using RuntimeLayout = VaeGen.Runtime.Models.InputLayout;
using VaeConfig = VaeGen.Runtime.Models.VaeConfig;

namespace VaeGen.Tool.Data;

/// <summary>
/// What a spec's input needs from image data: size, channels, layout and the value range the bytes
/// 0..255 are mapped to. Batches are filled as <c>min + byte / 255 * (max - min)</c>, the mapping
/// tools/torch/train_reference.py uses, so both see identical numbers (for [0, 255] the byte itself).
/// </summary>
/// <param name="Classes">K of a conditional spec (<c>condition: { classes: K }</c>), whose images need labels 0..K-1; 0 otherwise.</param>
internal sealed record InputGeometry(int Height, int Width, int Channels, RuntimeLayout Layout, double RangeMin, double RangeMax, int Classes = 0)
{
    /// <summary>
    /// The geometry of the model the spec lowers to: sizes and layout come from the runtime
    /// configuration the lowering describes, so the spec's layout is mapped to the runtime's once
    /// (in <see cref="SpecLowering"/>); only the value range, which the model never sees, comes from the spec.
    /// </summary>
    public static InputGeometry Of(VaeSpec spec)
    {
        VaeConfig config = ModelBuilder.CreateConfig(SpecLowering.Config(spec));
        return new(config.Height, config.Width, config.Channels, config.Layout, spec.Input.RangeMin, spec.Input.RangeMax, config.Classes);
    }

    /// <summary>Whether the model takes a class label next to each image.</summary>
    public bool IsConditional => Classes > 0;

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
