using System.Collections.Generic;
using System.Globalization;

namespace VaeGen.Spec.Parsing
{
    /// <summary>C# identifier rules for class names and namespaces.</summary>
    public static class CSharpNames
    {
        private static readonly HashSet<string> Keywords = new HashSet<string>
        {
            "abstract", "as", "base", "bool", "break", "byte", "case", "catch", "char", "checked", "class", "const",
            "continue", "decimal", "default", "delegate", "do", "double", "else", "enum", "event", "explicit", "extern",
            "false", "finally", "fixed", "float", "for", "foreach", "goto", "if", "implicit", "in", "int", "interface",
            "internal", "is", "lock", "long", "namespace", "new", "null", "object", "operator", "out", "override",
            "params", "private", "protected", "public", "readonly", "ref", "return", "sbyte", "sealed", "short",
            "sizeof", "stackalloc", "static", "string", "struct", "switch", "this", "throw", "true", "try", "typeof",
            "uint", "ulong", "unchecked", "unsafe", "ushort", "using", "virtual", "void", "volatile", "while",
        };

        /// <summary>True when <paramref name="name"/> is a C# identifier and not a keyword.</summary>
        public static bool IsIdentifier(string name)
        {
            if (name.Length == 0 || name.Length > 512 || Keywords.Contains(name))
            {
                return false;
            }

            for (int i = 0; i < name.Length; i++)
            {
                var category = CharUnicodeInfo.GetUnicodeCategory(name[i]);
                bool letter = category == UnicodeCategory.UppercaseLetter || category == UnicodeCategory.LowercaseLetter ||
                              category == UnicodeCategory.TitlecaseLetter || category == UnicodeCategory.ModifierLetter ||
                              category == UnicodeCategory.OtherLetter || category == UnicodeCategory.LetterNumber || name[i] == '_';
                bool part = letter || category == UnicodeCategory.DecimalDigitNumber || category == UnicodeCategory.ConnectorPunctuation ||
                            category == UnicodeCategory.NonSpacingMark || category == UnicodeCategory.SpacingCombiningMark;
                if (i == 0 ? !letter : !part)
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>True for a dotted list of identifiers, e.g. <c>VaeGen.Specs</c>.</summary>
        public static bool IsNamespace(string name)
        {
            if (name.Length == 0)
            {
                return false;
            }

            foreach (var part in name.Split('.'))
            {
                if (!IsIdentifier(part))
                {
                    return false;
                }
            }

            return true;
        }
    }
}
