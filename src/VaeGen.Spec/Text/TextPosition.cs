namespace VaeGen.Spec.Text
{
    /// <summary>Line and column of a character offset, counting line breaks as YAML and Roslyn's SourceText do.</summary>
    internal static class TextPosition
    {
        /// <summary>0-based line and column of <paramref name="index"/> (clamped to the text); breaks are \n, \r\n, a lone \r, U+0085, U+2028 and U+2029.</summary>
        public static (int Line, int Column) Of(string text, int index)
        {
            int end = index < text.Length ? index : text.Length;
            int line = 0, lineStart = 0;
            for (int i = 0; i < end; i++)
            {
                char c = text[i];
                if (c == '\n' || c == '\u0085' || c == '\u2028' || c == '\u2029' || (c == '\r' && (i + 1 >= text.Length || text[i + 1] != '\n')))
                {
                    line++;
                    lineStart = i + 1;
                }
            }

            return (line, end - lineStart);
        }
    }
}
