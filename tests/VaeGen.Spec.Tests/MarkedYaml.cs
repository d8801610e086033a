using System;

namespace VaeGen.Spec.Tests;

/// <summary>
/// YAML with the expected diagnostic location marked inline: <see cref="Marker"/> is placed right
/// before the offending node and stripped before checking.
/// </summary>
internal static class MarkedYaml
{
    /// <summary>Marks the start of the node a diagnostic must point at.</summary>
    public const char Marker = '⟨';

    /// <summary>Returned by <see cref="Edit"/> when the text to replace is not there exactly once; tests assert it is absent.</summary>
    public const string EditFailed = "!!EDIT FAILED!!";

    /// <summary>Strips the marker and gives its 0-based line and column (-1, -1 when there is none).</summary>
    public static (string Text, int Line, int Column) Strip(string marked)
    {
        int at = marked.IndexOf(Marker);
        if (at < 0)
        {
            return (marked, -1, -1);
        }

        if (marked.IndexOf(Marker, at + 1) >= 0)
        {
            throw new ArgumentException("more than one marker in " + marked);
        }

        int line = 0, lineStart = 0;
        for (int i = 0; i < at; i++)
        {
            if (marked[i] == '\n')
            {
                line++;
                lineStart = i + 1;
            }
        }

        return (marked.Remove(at, 1), line, at - lineStart);
    }

    /// <summary>Replaces the one occurrence of <paramref name="find"/>; anything else poisons the text with <see cref="EditFailed"/>.</summary>
    public static string Edit(this string text, string find, string replace)
    {
        int first = text.IndexOf(find, StringComparison.Ordinal);
        if (first < 0 || text.IndexOf(find, first + 1, StringComparison.Ordinal) >= 0)
        {
            return EditFailed + " (" + find + ")";
        }

        return text.Substring(0, first) + replace + text.Substring(first + find.Length);
    }

    /// <summary>Removes the one occurrence of <paramref name="find"/>.</summary>
    public static string Remove(this string text, string find) => text.Edit(find, string.Empty);
}
