using System.Globalization;
using System.Text;

namespace VaeGen.Generators.Emitting
{
    /// <summary>C# literals and XML doc text, culture-invariant.</summary>
    internal static class Literals
    {
        public static string Long(long value) => value.ToString(CultureInfo.InvariantCulture);

        /// <summary>A double literal that round-trips: 1.0, 0.5, 1E-05.</summary>
        public static string Double(double value)
        {
            string text = value.ToString("R", CultureInfo.InvariantCulture);
            return text.IndexOfAny(new[] { '.', 'E', 'N', 'I' }) >= 0 ? text : text + ".0";
        }

        /// <summary>A float literal that round-trips: 0.01f.</summary>
        public static string Float(double value) => ((float)value).ToString("R", CultureInfo.InvariantCulture) + "f";

        public static string String(string value)
        {
            var sb = new StringBuilder("\"");
            foreach (char c in value)
            {
                switch (c)
                {
                    case '"': sb.Append("\\\""); break;
                    case '\\': sb.Append("\\\\"); break;
                    case '\n': sb.Append("\\n"); break;
                    case '\r': sb.Append("\\r"); break;
                    case '\t': sb.Append("\\t"); break;
                    default:
                        if (char.IsControl(c))
                        {
                            sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                        }
                        else
                        {
                            sb.Append(c);
                        }

                        break;
                }
            }

            return sb.Append('"').ToString();
        }

        public static string Xml(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");

        public static string LongArray(System.Collections.Generic.IEnumerable<long> values) =>
            "new long[] { " + string.Join(", ", System.Linq.Enumerable.Select(values, Long)) + " }";
    }
}
