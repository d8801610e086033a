using System;
using System.Collections.Generic;

namespace VaeGen.Spec.Parsing
{
    /// <summary>Finds the valid name closest to a misspelt one, for "did you mean" hints.</summary>
    internal static class NameSuggester
    {
        public static string? Closest(string actual, IEnumerable<string> candidates)
        {
            string lowered = actual.ToLowerInvariant();
            string? best = null;
            int bestDistance = int.MaxValue;
            foreach (var candidate in candidates)
            {
                int distance = Distance(lowered, candidate);
                if (distance < bestDistance)
                {
                    bestDistance = distance;
                    best = candidate;
                }
            }

            // A hint is only helpful when the names are close: a third of the length, at least 2 edits.
            int allowed = Math.Max(2, lowered.Length / 3);
            return best is not null && bestDistance <= allowed ? best : null;
        }

        /// <summary>" (did you mean 'kernel'?)" or "".</summary>
        public static string Hint(string actual, IEnumerable<string> candidates)
        {
            var closest = Closest(actual, candidates);
            return closest is null ? string.Empty : "; did you mean '" + closest + "'?";
        }

        // Optimal string alignment distance: Levenshtein plus adjacent transpositions ("kernle").
        private static int Distance(string a, string b)
        {
            if (a.Length > 64 || b.Length > 64)
            {
                return int.MaxValue;
            }

            var d = new int[a.Length + 1, b.Length + 1];
            for (int i = 0; i <= a.Length; i++)
            {
                d[i, 0] = i;
            }

            for (int j = 0; j <= b.Length; j++)
            {
                d[0, j] = j;
            }

            for (int i = 1; i <= a.Length; i++)
            {
                for (int j = 1; j <= b.Length; j++)
                {
                    int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                    d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                    if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                    {
                        d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                    }
                }
            }

            return d[a.Length, b.Length];
        }
    }
}
