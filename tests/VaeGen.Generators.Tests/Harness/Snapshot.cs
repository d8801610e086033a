using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.RegularExpressions;
using Xunit.Sdk;

namespace VaeGen.Generators.Tests.Harness;

/// <summary>
/// Checked-in expected output. A mismatch fails with a line diff and writes <c>name.received</c>
/// beside the snapshot; with VAEGEN_ACCEPT_SNAPSHOTS=1 the new output replaces the snapshot instead.
/// </summary>
internal static class Snapshot
{
    public const string AcceptVariable = "VAEGEN_ACCEPT_SNAPSHOTS";

    public static void Match(string name, string actual, [CallerFilePath] string callerPath = "")
    {
        string folder = Path.Combine(Path.GetDirectoryName(callerPath)!, "Snapshots");
        string path = Path.Combine(folder, name);
        string normalized = Normalize(actual);
        string received = path + ".received";

        if (Environment.GetEnvironmentVariable(AcceptVariable) == "1")
        {
            Directory.CreateDirectory(folder);
            File.WriteAllText(path, normalized);
            File.Delete(received);
            return;
        }

        if (!File.Exists(path))
        {
            File.WriteAllText(received, normalized);
            throw new XunitException("No snapshot " + path + " yet; the output is in " + received + ". Review it and rerun with " + AcceptVariable + "=1 to accept.");
        }

        string expected = Normalize(File.ReadAllText(path));
        if (expected == normalized)
        {
            File.Delete(received);
            return;
        }

        File.WriteAllText(received, normalized);
        throw new XunitException("Generated output differs from " + path + " (- expected, + actual); rerun with " + AcceptVariable + "=1 to accept:\n" + Diff(expected, normalized));
    }

    /// <summary>Line ends and the generator's version are not part of what a snapshot pins down.</summary>
    private static string Normalize(string text) =>
        Regex.Replace(text.Replace("\r\n", "\n"), @"GeneratedCode\(""VaeGen"", ""[^""]*""\)", "GeneratedCode(\"VaeGen\", \"VERSION\")");

    /// <summary>A line diff (longest common subsequence) showing changed lines with two lines of context.</summary>
    internal static string Diff(string expected, string actual)
    {
        string[] a = expected.Split('\n'), b = actual.Split('\n');
        var lcs = new int[a.Length + 1, b.Length + 1];
        for (int i = a.Length - 1; i >= 0; i--)
        {
            for (int j = b.Length - 1; j >= 0; j--)
            {
                lcs[i, j] = a[i] == b[j] ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
            }
        }

        var lines = new List<(char Kind, int Line, string Text)>();
        int x = 0, y = 0;
        while (x < a.Length || y < b.Length)
        {
            if (x < a.Length && y < b.Length && a[x] == b[y])
            {
                lines.Add((' ', y + 1, a[x]));
                x++;
                y++;
            }
            else if (y < b.Length && (x == a.Length || lcs[x, y + 1] >= lcs[x + 1, y]))
            {
                lines.Add(('+', y + 1, b[y++]));
            }
            else
            {
                lines.Add(('-', x + 1, a[x++]));
            }
        }

        var sb = new StringBuilder();
        int shown = 0;
        for (int i = 0; i < lines.Count && shown < 60; i++)
        {
            bool near = false;
            for (int k = Math.Max(0, i - 2); k <= Math.Min(lines.Count - 1, i + 2); k++)
            {
                near |= lines[k].Kind != ' ';
            }

            if (near)
            {
                sb.Append(lines[i].Kind).Append(' ').Append(lines[i].Line.ToString().PadLeft(4)).Append(" | ").AppendLine(lines[i].Text);
                shown++;
            }
        }

        return sb.ToString();
    }
}
