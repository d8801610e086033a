using System.Globalization;

namespace VaeGen.Data;

/// <summary>Number formatting for error messages, independent of the thread's culture.</summary>
internal static class Format
{
    /// <summary>The number with thousands separators, e.g. <c>47,040,000</c>.</summary>
    public static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>A byte count with its unit, e.g. <c>1 byte</c>, <c>1,234 bytes</c>.</summary>
    public static string Bytes(long count) => count == 1 ? "1 byte" : N(count) + " bytes";

    /// <summary>A channel count as a word people use: grayscale, gray+alpha, RGB, RGBA.</summary>
    public static string Channels(int channels) => channels switch
    {
        1 => "grayscale",
        2 => "gray+alpha",
        3 => "RGB",
        4 => "RGBA",
        _ => N(channels) + "-channel",
    };
}
