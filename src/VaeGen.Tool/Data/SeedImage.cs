using VaeGen.Data;

namespace VaeGen.Tool.Data;

/// <summary>
/// The fixed 5x5 RGB example image of <c>specs/seed000.vae.yaml</c> (the image its design sketch
/// worked through by hand), so <c>vaegen explain specs/seed000.vae.yaml</c> shows the same numbers every time.
/// </summary>
internal static class SeedImage
{
    /// <summary>The spec file whose walkthrough uses this image.</summary>
    public const string SpecFileName = "seed000.vae.yaml";

    // As the document prints it: channel by channel (R, G, B), rows top to bottom.
    private static readonly byte[,,] Planes =
    {
        {
            { 100, 150, 200, 255, 50 },
            { 120, 80, 90, 110, 130 },
            { 140, 160, 70, 60, 80 },
            { 180, 200, 220, 240, 20 },
            { 30, 40, 50, 60, 70 },
        },
        {
            { 0, 20, 40, 60, 80 },
            { 10, 30, 50, 70, 90 },
            { 100, 120, 140, 160, 180 },
            { 200, 220, 240, 255, 10 },
            { 15, 25, 35, 45, 55 },
        },
        {
            { 50, 75, 100, 125, 150 },
            { 60, 85, 110, 135, 160 },
            { 70, 95, 120, 145, 170 },
            { 80, 105, 130, 155, 180 },
            { 90, 115, 140, 165, 190 },
        },
    };

    /// <summary>The image as files store it: rows of interleaved RGB pixels.</summary>
    public static ByteImage Create()
    {
        const int size = 5, channels = 3;
        var image = new ByteImage(size, size, channels);
        for (int y = 0; y < size; y++)
        {
            for (int x = 0; x < size; x++)
            {
                for (int c = 0; c < channels; c++)
                {
                    image.Pixels[(((y * size) + x) * channels) + c] = Planes[c, y, x];
                }
            }
        }

        return image;
    }
}
