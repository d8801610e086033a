using System;

namespace VaeGen.Spec.Text
{
    /// <summary>
    /// A range of a spec file: character offsets plus 0-based line and column of both ends, the
    /// same conventions as Roslyn's TextSpan and LinePositionSpan so the generator converts it
    /// without re-reading the text. Tools print lines and columns 1-based.
    /// </summary>
    public readonly struct SourceSpan : IEquatable<SourceSpan>
    {
        /// <summary>Creates a span.</summary>
        public SourceSpan(int start, int end, int startLine, int startColumn, int endLine, int endColumn)
        {
            Start = start;
            End = Math.Max(start, end);
            StartLine = startLine;
            StartColumn = startColumn;
            EndLine = endLine;
            EndColumn = endColumn;
        }

        /// <summary>Character offset of the first character.</summary>
        public int Start { get; }

        /// <summary>Character offset just past the last character.</summary>
        public int End { get; }

        /// <summary>Length in characters.</summary>
        public int Length => End - Start;

        /// <summary>0-based line of the start.</summary>
        public int StartLine { get; }

        /// <summary>0-based column of the start.</summary>
        public int StartColumn { get; }

        /// <summary>0-based line of the end.</summary>
        public int EndLine { get; }

        /// <summary>0-based column of the end.</summary>
        public int EndColumn { get; }

        /// <summary>The start of a file.</summary>
        public static SourceSpan FileStart => new SourceSpan(0, 0, 0, 0, 0, 0);

        /// <inheritdoc />
        public bool Equals(SourceSpan other) =>
            Start == other.Start && End == other.End && StartLine == other.StartLine &&
            StartColumn == other.StartColumn && EndLine == other.EndLine && EndColumn == other.EndColumn;

        /// <inheritdoc />
        public override bool Equals(object? obj) => obj is SourceSpan other && Equals(other);

        /// <inheritdoc />
        public override int GetHashCode() => unchecked((Start * 397) ^ End ^ (StartLine << 16) ^ StartColumn);

        /// <summary>1-based "(line,col)" as compilers print it.</summary>
        public override string ToString() => "(" + (StartLine + 1) + "," + (StartColumn + 1) + ")";
    }
}
