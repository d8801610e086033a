using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using VaeGen.Spec.Diagnostics;
using VaeGen.Spec.Model;
using VaeGen.Spec.Yaml;

namespace VaeGen.Spec.Parsing
{
    /// <summary>
    /// Reads typed values out of YAML nodes. Each method either succeeds or reports exactly one
    /// diagnostic at the node, saying what was expected, what was found, and how to write it.
    /// </summary>
    internal sealed class ScalarReader
    {
        private readonly DiagnosticBag _bag;

        public ScalarReader(DiagnosticBag bag)
        {
            _bag = bag;
        }

        public bool TryReadInt(YamlNode node, string path, long minimum, out long value)
        {
            value = 0;
            if (!TryScalar(node, path, "an integer", out var scalar))
            {
                return false;
            }

            string text = scalar.Value.Trim();
            if (!scalar.IsQuoted && IsIntegerText(text))
            {
                if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value))
                {
                    _bag.Report(DiagnosticRules.OutOfRange, node, path,
                        "'" + Shorten(text) + "' is too large to be a size; sizes must be at most " + long.MaxValue.ToString(CultureInfo.InvariantCulture));
                    return false;
                }

                if (value < minimum)
                {
                    _bag.Report(DiagnosticRules.OutOfRange, node, path, LastKey(path) + " must be at least " + minimum + ", but is " + value);
                    return false;
                }

                return true;
            }

            if (scalar.IsNull)
            {
                _bag.Report(DiagnosticRules.WrongType, node, path, "expected an integer but the value is empty");
                return false;
            }

            if (!scalar.IsQuoted && TryParseDouble(text, out double number))
            {
                string hint = !double.IsNaN(number) && !double.IsInfinity(number) && Math.Floor(number) == number && Math.Abs(number) < 1e18
                    ? "; write " + ((long)number).ToString(CultureInfo.InvariantCulture)
                    : "; sizes are whole numbers";
                _bag.Report(DiagnosticRules.WrongType, node, path, "expected an integer but found the number " + Shorten(text) + hint);
                return false;
            }

            string quotedHint = scalar.IsQuoted && IsIntegerText(text) ? "; write " + text + " without quotes" : string.Empty;
            _bag.Report(DiagnosticRules.WrongType, node, path, "expected an integer but found " + scalar.Describe() + quotedHint);
            return false;
        }

        /// <summary>One int for both dimensions, or [h, w].</summary>
        public bool TryReadSize2(YamlNode node, string path, long minimum, out Size2 value)
        {
            value = default;
            if (node is YamlSequence list)
            {
                if (list.Items.Count != 2)
                {
                    _bag.Report(DiagnosticRules.WrongNodeKind, node, path,
                        "expected one integer or a pair [height, width], but the list has " + list.Items.Count + " items");
                    return false;
                }

                bool okHeight = TryReadInt(list.Items[0], path + "[0]", minimum, out long height);
                bool okWidth = TryReadInt(list.Items[1], path + "[1]", minimum, out long width);
                value = new Size2(height, width);
                return okHeight && okWidth;
            }

            if (!TryReadInt(node, path, minimum, out long both))
            {
                return false;
            }

            value = Size2.Square(both);
            return true;
        }

        public bool TryReadNumber(YamlNode node, string path, out double value)
        {
            value = 0;
            if (!TryScalar(node, path, "a number", out var scalar))
            {
                return false;
            }

            string text = scalar.Value.Trim();
            if (scalar.IsNull)
            {
                _bag.Report(DiagnosticRules.WrongType, node, path, "expected a number but the value is empty");
                return false;
            }

            if (scalar.IsQuoted || !TryParseDouble(text, out value))
            {
                string hint = scalar.IsQuoted && TryParseDouble(text, out _) ? "; write " + text + " without quotes" : string.Empty;
                _bag.Report(DiagnosticRules.WrongType, node, path, "expected a number but found " + scalar.Describe() + hint);
                return false;
            }

            if (double.IsNaN(value) || double.IsInfinity(value))
            {
                _bag.Report(DiagnosticRules.OutOfRange, node, path, LastKey(path) + " must be a finite number, but is " + text);
                return false;
            }

            return true;
        }

        public bool TryReadBool(YamlNode node, string path, out bool value)
        {
            value = false;
            if (!TryScalar(node, path, "true or false", out var scalar))
            {
                return false;
            }

            string text = scalar.Value.Trim();
            if (!scalar.IsQuoted && (text == "true" || text == "True" || text == "TRUE"))
            {
                value = true;
                return true;
            }

            if (!scalar.IsQuoted && (text == "false" || text == "False" || text == "FALSE"))
            {
                return true;
            }

            _bag.Report(DiagnosticRules.WrongType, node, path, "expected true or false but found " + scalar.Describe());
            return false;
        }

        public bool TryReadChoice<T>(YamlNode node, string path, IReadOnlyList<(string Name, T Value)> choices, out T value)
        {
            value = default!;
            if (!TryScalar(node, path, "one of " + ListChoices(choices.Select(c => c.Name)), out var scalar))
            {
                return false;
            }

            foreach (var (name, choice) in choices)
            {
                if (scalar.Value == name)
                {
                    value = choice;
                    return true;
                }
            }

            var names = choices.Select(c => c.Name).ToArray();
            _bag.Report(DiagnosticRules.InvalidChoice, node, path,
                LastKey(path) + " must be one of " + ListChoices(names) + ", but is " + scalar.Describe() + NameSuggester.Hint(scalar.Value, names));
            return false;
        }

        public bool TryReadString(YamlNode node, string path, out string value)
        {
            value = string.Empty;
            if (!TryScalar(node, path, "a name", out var scalar))
            {
                return false;
            }

            if (scalar.IsNull)
            {
                _bag.Report(DiagnosticRules.WrongType, node, path, "expected a name but the value is empty");
                return false;
            }

            value = scalar.Value;
            return true;
        }

        public bool TryScalar(YamlNode node, string path, string expected, out YamlScalar scalar)
        {
            if (node is YamlScalar s)
            {
                scalar = s;
                return true;
            }

            scalar = null!;
            _bag.Report(DiagnosticRules.WrongNodeKind, node, path, "expected " + expected + " but found " + node.Describe());
            return false;
        }

        public static string ListChoices(IEnumerable<string> names)
        {
            var list = names.ToList();
            return list.Count == 1 ? list[0] : string.Join(", ", list.Take(list.Count - 1)) + " or " + list[list.Count - 1];
        }

        public static string LastKey(string path)
        {
            int dot = path.LastIndexOf('.');
            return dot < 0 ? path : path.Substring(dot + 1);
        }

        private static bool IsIntegerText(string text)
        {
            int start = text.Length > 0 && (text[0] == '-' || text[0] == '+') ? 1 : 0;
            if (start >= text.Length)
            {
                return false;
            }

            for (int i = start; i < text.Length; i++)
            {
                if (text[i] < '0' || text[i] > '9')
                {
                    return false;
                }
            }

            return true;
        }

        internal static bool TryParseDouble(string text, out double value)
        {
            switch (text)
            {
                case ".inf": case ".Inf": case ".INF": case "+.inf": case "+.Inf": case "+.INF":
                    value = double.PositiveInfinity;
                    return true;
                case "-.inf": case "-.Inf": case "-.INF":
                    value = double.NegativeInfinity;
                    return true;
                case ".nan": case ".NaN": case ".NAN":
                    value = double.NaN;
                    return true;
            }

            // Only YAML's number syntax: no thousands separators, no "Infinity" or "NaN" words.
            foreach (char c in text)
            {
                if (!((c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '-' || c == '+'))
                {
                    value = 0;
                    return false;
                }
            }

            return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
        }

        private static string Shorten(string text) => text.Length > 30 ? text.Substring(0, 30) + "..." : text;
    }
}
