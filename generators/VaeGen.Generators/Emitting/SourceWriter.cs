using System;
using System.Text;

namespace VaeGen.Generators.Emitting
{
    /// <summary>
    /// A small indented writer: generated code is code people read, so it is laid out by hand with
    /// four-space indentation and '\n' line ends on every platform (deterministic output).
    /// </summary>
    internal sealed class SourceWriter
    {
        private readonly StringBuilder _text = new StringBuilder();
        private int _indent;

        public void Line(string line = "")
        {
            if (line.Length > 0)
            {
                _text.Append(' ', _indent * 4).Append(line);
            }

            _text.Append('\n');
        }

        /// <summary>Indents the following lines without writing a brace (argument lists).</summary>
        public void Indent() => _indent++;

        /// <summary>Undoes <see cref="Indent"/>.</summary>
        public void Unindent() => _indent = Math.Max(0, _indent - 1);

        /// <summary>Writes <c>{</c> and indents.</summary>
        public void Open()
        {
            Line("{");
            _indent++;
        }

        /// <summary>Unindents and writes <c>}</c> (plus an optional suffix such as <c>;</c>).</summary>
        public void Close(string suffix = "")
        {
            _indent = Math.Max(0, _indent - 1);
            Line("}" + suffix);
        }

        /// <summary>Writes an XML doc comment line, escaping the text.</summary>
        public void Doc(string xml) => Line("/// " + xml);

        public override string ToString() => _text.ToString();
    }
}
