using System;
using System.Linq;
using System.Text;
using System.Threading;
using VaeGen.Spec.Collections;
using VaeGen.Spec.Diagnostics;
using VaeGen.Spec.Parsing;
using VaeGen.Spec.Shapes;
using VaeGen.Spec.Text;
using VaeGen.Spec.Yaml;

namespace VaeGen.Spec.Checking
{
    /// <summary>
    /// The one entry point of the spec language: text in, checked model and diagnostics out. Used by
    /// the source generator and by the vaegen tool, so both report exactly the same things. It never
    /// throws (except on cancellation): a bug inside becomes diagnostic VAE9001.
    /// </summary>
    public static class SpecChecker
    {
        /// <summary>Checks the spec in <paramref name="text"/>.</summary>
        /// <param name="filePath">The path to name in diagnostics.</param>
        /// <param name="text">The file's text.</param>
        /// <param name="cancellationToken">Honoured between steps and while reading large files.</param>
        public static SpecCheckResult Check(string filePath, string text, CancellationToken cancellationToken = default)
        {
            var bag = new DiagnosticBag(filePath);
            try
            {
                return Run(filePath, text, bag, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                throw;
            }
            catch (Exception ex)
            {
                return InternalFailure(filePath, DescribeBug("checking this spec", ex));
            }
        }

        /// <summary>
        /// A result holding only a VAE9001 error at the start of the file: for failures around the
        /// checker (the host could not read the file, an emitter failed) that must still be reported
        /// on the spec they concern.
        /// </summary>
        public static SpecCheckResult InternalFailure(string filePath, string message)
        {
            var bag = new DiagnosticBag(filePath);
            bag.Report(DiagnosticRules.InternalError, SourceSpan.FileStart, string.Empty, message);
            return DiagnosticsOnly(filePath, bag);
        }

        /// <summary>The VAE9001 text for an unexpected exception while <paramref name="doing"/>.</summary>
        public static string DescribeBug(string doing, Exception exception) =>
            "VaeGen failed while " + doing + " (" + exception.GetType().Name + ": " + exception.Message.TrimEnd('.') + "); this is a bug in VaeGen, please report it with the spec";

        /// <summary>Checks a spec given as raw bytes, reporting bytes that are not UTF-8 at their position.</summary>
        public static SpecCheckResult Check(string filePath, byte[] bytes, CancellationToken cancellationToken = default)
        {
            var strict = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
            int offset = bytes.Length >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF ? 3 : 0;
            try
            {
                return Check(filePath, strict.GetString(bytes, offset, bytes.Length - offset), cancellationToken);
            }
            catch (DecoderFallbackException ex)
            {
                int bad = offset + Math.Max(0, ex.Index);
                var lenient = new UTF8Encoding(false, false).GetString(bytes, offset, Math.Max(0, Math.Min(bad, bytes.Length) - offset));
                var bag = new DiagnosticBag(filePath);
                bag.Report(DiagnosticRules.NotUtf8, SpanAt(lenient, lenient.Length), string.Empty, NotUtf8Message(bytes, bad));
                return DiagnosticsOnly(filePath, bag);
            }
        }

        private static SpecCheckResult Run(string filePath, string text, DiagnosticBag bag, CancellationToken cancellationToken)
        {
            // Compilers decode additional files leniently: bytes that are not UTF-8 arrive as U+FFFD.
            int replacement = text.IndexOf('\uFFFD');
            if (replacement >= 0)
            {
                bag.Report(DiagnosticRules.NotUtf8, SpanAt(text, replacement), string.Empty,
                    "the file is not valid UTF-8 (an undecodable byte sequence is at this position); save it as UTF-8");
                return DiagnosticsOnly(filePath, bag);
            }

            var root = YamlTreeReader.Read(text, bag, cancellationToken);
            if (root is null)
            {
                return DiagnosticsOnly(filePath, bag);
            }

            cancellationToken.ThrowIfCancellationRequested();
            var parsed = new SpecParser(bag).Parse(root);
            var nameSpan = parsed.Syntax.Values.TryGetValue("name", out var nameNode) ? nameNode.Span : SourceSpan.FileStart;
            if (parsed.Spec is null || bag.HasErrors)
            {
                return new SpecCheckResult(filePath, parsed.Name, parsed.Namespace, nameSpan, null, EquatableArray<LayerPlan>.Empty, Sorted(bag));
            }

            cancellationToken.ThrowIfCancellationRequested();
            SemanticChecks.Run(parsed.Spec, parsed.Syntax, bag);
            var inference = new ShapeInference(bag);
            var plan = inference.Infer(parsed.Spec, parsed.Syntax);
            return new SpecCheckResult(filePath, parsed.Name, parsed.Namespace, nameSpan, bag.HasErrors ? null : plan,
                inference.Rows.ToEquatableArray(), Sorted(bag));
        }

        /// <summary>Nothing could be read or checked; only the diagnostics say why.</summary>
        private static SpecCheckResult DiagnosticsOnly(string filePath, DiagnosticBag bag) =>
            new SpecCheckResult(filePath, null, null, SourceSpan.FileStart, null, EquatableArray<LayerPlan>.Empty, bag.Items.ToEquatableArray());

        private static EquatableArray<SpecDiagnostic> Sorted(DiagnosticBag bag) =>
            bag.Items.OrderBy(d => d.Span.Start).ThenBy(d => d.Id, StringComparer.Ordinal).ToEquatableArray();

        private static SourceSpan SpanAt(string text, int index)
        {
            var (line, column) = TextPosition.Of(text, index);
            return new SourceSpan(index, Math.Min(index + 1, text.Length), line, column, line, column + 1);
        }

        private static string NotUtf8Message(byte[] bytes, int index)
        {
            string shown = index < bytes.Length ? "0x" + bytes[index].ToString("X2", System.Globalization.CultureInfo.InvariantCulture) : "end of file";
            return "the file is not valid UTF-8 (byte " + shown + " at offset " + index + " does not decode); save it as UTF-8";
        }
    }
}
