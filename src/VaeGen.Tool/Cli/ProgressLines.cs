using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;

namespace VaeGen.Tool.Cli;

/// <summary>
/// Progress of a long computation as plain lines on stderr, for when nobody watches a progress bar
/// (stdout piped into a file or another program, or <c>--json</c>): nothing for the first few seconds,
/// so a quick run stays silent, then one line at most every few seconds, so a log stays short.
/// </summary>
internal sealed class ProgressLines(TextWriter error, string what, int total)
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);
    private readonly long _start = Stopwatch.GetTimestamp();
    private TimeSpan _next = Interval;

    /// <summary>Reports that <paramref name="done"/> of the total are done; writes a line only when one is due.</summary>
    public void Report(int done)
    {
        TimeSpan elapsed = Stopwatch.GetElapsedTime(_start);
        if (elapsed < _next || done <= 0 || done >= total)
        {
            return;
        }

        _next = elapsed + Interval;
        double left = elapsed.TotalSeconds * (total - done) / done;
        error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"vaegen: {what}: {done:N0} of {total:N0} images ({100.0 * done / total:F0}%) in {elapsed.TotalSeconds:F0} s, about {left:F0} s left"));
        error.Flush();
    }
}
