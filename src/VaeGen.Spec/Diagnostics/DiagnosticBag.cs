using System.Collections.Generic;
using System.IO;
using VaeGen.Spec.Text;
using VaeGen.Spec.Yaml;

namespace VaeGen.Spec.Diagnostics
{
    /// <summary>Collects the diagnostics of one spec file and writes the file name and YAML path into each message.</summary>
    internal sealed class DiagnosticBag
    {
        private readonly List<SpecDiagnostic> _items = new List<SpecDiagnostic>();

        public DiagnosticBag(string filePath)
        {
            FilePath = filePath;
            FileName = Path.GetFileName(filePath);
            if (FileName.Length == 0)
            {
                FileName = filePath;
            }
        }

        public string FilePath { get; }

        public string FileName { get; }

        public IReadOnlyList<SpecDiagnostic> Items => _items;

        public bool HasErrors => ErrorCount > 0;

        /// <summary>Errors so far; callers compare counts to tell whether a step added any.</summary>
        public int ErrorCount { get; private set; }

        public void Report(DiagnosticRule rule, SourceSpan span, string yamlPath, string message)
        {
            string where = yamlPath.Length == 0 ? FileName : FileName + ", " + yamlPath;
            _items.Add(new SpecDiagnostic(rule.Id, rule.Severity, where + ": " + message, FilePath, span, yamlPath));
            if (rule.Severity == Severity.Error)
            {
                ErrorCount++;
            }
        }

        public void Report(DiagnosticRule rule, YamlNode node, string yamlPath, string message) =>
            Report(rule, node.Span, yamlPath, message);
    }
}
