using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using VaeGen.Spec.Diagnostics;
using VaeGen.Spec.Text;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace VaeGen.Spec.Yaml
{
    /// <summary>
    /// Builds a <see cref="YamlNode"/> tree from YamlDotNet's event parser. Everything that can go
    /// wrong becomes one located diagnostic: syntax errors (YamlDotNet throws more than YamlException,
    /// e.g. InvalidOperationException on an unclosed flow list), duplicate keys, documents nested too
    /// deep, and alias expansion bombs. It is iterative, so no input can overflow the stack.
    /// </summary>
    internal static class YamlTreeReader
    {
        /// <summary>Deepest nesting of lists and maps; a spec needs five.</summary>
        public const int MaxDepth = 64;

        /// <summary>Most nodes the document may hold once aliases are expanded.</summary>
        public const long MaxExpandedNodes = 100_000;

        private const string StringTag = "tag:yaml.org,2002:str";

        public static YamlNode? Read(string text, DiagnosticBag bag, CancellationToken cancellationToken)
        {
            var textEnd = EndOf(text);
            var state = new ReaderState(bag, textEnd);
            ParsingEvent? last = null;
            try
            {
                var parser = new Parser(new StringReader(text));
                int documents = 0;
                int counter = 0;
                while (parser.MoveNext())
                {
                    if ((++counter & 255) == 0)
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                    }

                    var current = parser.Current!;
                    last = current;
                    switch (current)
                    {
                        case DocumentStart start:
                            if (!start.IsImplicit || documents > 0)
                            {
                                if (documents > 0)
                                {
                                    bag.Report(DiagnosticRules.MultipleDocuments, ToSpan(start.Start, start.End, textEnd), string.Empty,
                                        "the file holds a second YAML document; a spec file holds exactly one");
                                    return null;
                                }
                            }

                            documents++;
                            break;
                        case DocumentEnd:
                        case StreamStart:
                        case StreamEnd:
                        case Comment:
                            break;
                        case Scalar scalar:
                            {
                                bool quoted = scalar.Style != ScalarStyle.Plain || (!scalar.Tag.IsEmpty && scalar.Tag.Value == StringTag);
                                var node = new YamlScalar(scalar.Value, quoted, ToSpan(scalar.Start, scalar.End, textEnd));
                                if (!state.Complete(node, 1, scalar.Anchor.IsEmpty ? null : scalar.Anchor.Value))
                                {
                                    return null;
                                }

                                break;
                            }

                        case SequenceStart sequenceStart:
                            if (!state.Open(new Frame(sequenceStart.Start, isMapping: false, sequenceStart.Anchor.IsEmpty ? null : sequenceStart.Anchor.Value)))
                            {
                                return null;
                            }

                            break;
                        case MappingStart mappingStart:
                            if (!state.Open(new Frame(mappingStart.Start, isMapping: true, mappingStart.Anchor.IsEmpty ? null : mappingStart.Anchor.Value)))
                            {
                                return null;
                            }

                            break;
                        case SequenceEnd sequenceEnd:
                            if (!state.Close(sequenceEnd.End))
                            {
                                return null;
                            }

                            break;
                        case MappingEnd mappingEnd:
                            if (!state.Close(mappingEnd.End))
                            {
                                return null;
                            }

                            break;
                        case AnchorAlias alias:
                            if (!state.Alias(alias.Value.Value, ToSpan(alias.Start, alias.End, textEnd)))
                            {
                                return null;
                            }

                            break;
                    }
                }

                if (documents == 0 || state.Root is null || (state.Root is YamlScalar rootScalar && rootScalar.IsNull))
                {
                    bag.Report(DiagnosticRules.EmptySpec, SourceSpan.FileStart, string.Empty,
                        "the file holds no spec; it must be a YAML map with at least name, input, latent, encoder and decoder");
                    return null;
                }

                return state.Root;
            }
            catch (OperationCanceledException)
            {
                throw;
            }
            catch (YamlException ex)
            {
                var span = ToSpan(ex.Start, ex.End, textEnd);
                string message = StripMarks(ex.Message);

                // YamlDotNet locates "invalid tab as indentation" at the start of the file; point at the tab.
                int tab = message.IndexOf("tab", StringComparison.OrdinalIgnoreCase) >= 0 ? FindTabIndentation(text, last is null ? 0 : (int)Math.Min(last.Start.Index, text.Length)) : -1;
                if (tab >= 0)
                {
                    span = SpanAt(text, tab);
                }
                else if (span.Start >= text.Length && state.InnermostOpenFlow(text) is { } flow)
                {
                    // At the end of the file YamlDotNet's mark lies past the last line; the cause is the unclosed '[' or '{'.
                    ReportUnclosed(text, flow, bag);
                    return null;
                }
                else if (span.Start >= text.Length)
                {
                    span = SpanAt(text, text.Length);
                }

                bag.Report(DiagnosticRules.YamlSyntax, span, string.Empty, DescribeSyntaxError(text, span, message));
                return null;
            }
            catch (Exception ex)
            {
                // YamlDotNet reports some malformed input (an unclosed '[' or '{') with exceptions that
                // carry no position: point at the innermost flow collection still open, else at the last event read.
                if (state.InnermostOpenFlow(text) is { } flow)
                {
                    ReportUnclosed(text, flow, bag);
                    return null;
                }

                var span = last is null ? SourceSpan.FileStart : ToSpan(last.Start, last.End, textEnd);
                bag.Report(DiagnosticRules.YamlSyntax, span, string.Empty,
                    DescribeSyntaxError(text, span, "the YAML is incomplete or malformed after this point (" + ex.Message.TrimEnd('.') + "); check for an unclosed '[', '{' or quote"));
                return null;
            }
        }

        /// <summary>
        /// A span from YamlDotNet marks. At the end of the text YamlDotNet's marks can lie on a line
        /// past the last one; such marks are moved to the real end of the text.
        /// </summary>
        internal static SourceSpan ToSpan(Mark start, Mark end, Mark textEnd)
        {
            start = start.Index >= textEnd.Index ? textEnd : start;
            end = end.Index >= textEnd.Index ? textEnd : end;
            return ToSpan(start, end);
        }

        private static SourceSpan ToSpan(Mark start, Mark end) =>
            new SourceSpan(
                (int)Math.Min(start.Index, int.MaxValue),
                (int)Math.Min(end.Index, int.MaxValue),
                (int)Math.Max(0, start.Line - 1),
                (int)Math.Max(0, start.Column - 1),
                (int)Math.Max(0, end.Line - 1),
                (int)Math.Max(0, end.Column - 1));

        private static void ReportUnclosed(string text, Mark flow, DiagnosticBag bag)
        {
            var at = ToSpan(flow, flow);
            char open = text[(int)flow.Index];
            bag.Report(DiagnosticRules.YamlSyntax, at, string.Empty,
                DescribeSyntaxError(text, at, "this '" + open + "' is not closed, or what follows it is malformed; check for a missing '" + (open == '[' ? ']' : '}') + "' or an unclosed quote"));
        }

        /// <summary>The first tab in the indentation of a line at or after <paramref name="from"/>'s line, or -1.</summary>
        private static int FindTabIndentation(string text, int from)
        {
            int lineStart = from;
            while (lineStart > 0 && text[lineStart - 1] != '\n')
            {
                lineStart--;
            }

            for (int i = lineStart; i < text.Length; i++)
            {
                if (i == lineStart || text[i - 1] == '\n')
                {
                    for (int j = i; j < text.Length && (text[j] == ' ' || text[j] == '\t'); j++)
                    {
                        if (text[j] == '\t')
                        {
                            return j;
                        }
                    }
                }
            }

            return -1;
        }

        private static SourceSpan SpanAt(string text, int index)
        {
            var (line, column) = TextPosition.Of(text, index);
            return new SourceSpan(index, Math.Min(index + 1, text.Length), line, column, line, column + 1);
        }

        /// <summary>The end of the text as a YamlDotNet mark (1-based line and column).</summary>
        private static Mark EndOf(string text)
        {
            var (line, column) = TextPosition.Of(text, text.Length);
            return new Mark(text.Length, line + 1, column + 1);
        }

        private static string StripMarks(string message)
        {
            // YamlException messages start with "(Line: 2, Col: 1, Idx: 12) - (Line: ...): ".
            if (message.StartsWith("(Line:", StringComparison.Ordinal))
            {
                int separator = message.IndexOf("): ", StringComparison.Ordinal);
                int second = separator < 0 ? -1 : message.IndexOf("): ", separator + 3, StringComparison.Ordinal);
                int cut = second >= 0 ? second : separator;
                if (cut >= 0)
                {
                    return message.Substring(cut + 3);
                }
            }

            return message;
        }

        private static string DescribeSyntaxError(string text, SourceSpan span, string message)
        {
            string result = "the YAML does not parse: " + message.TrimEnd('.');
            if (HasTabIndentation(text, span))
            {
                result += "; a tab is used for indentation here, and YAML allows only spaces";
            }

            return result;
        }

        private static bool HasTabIndentation(string text, SourceSpan span)
        {
            int lineStart = span.Start;
            if (lineStart > text.Length)
            {
                lineStart = text.Length;
            }

            while (lineStart > 0 && text[lineStart - 1] != '\n')
            {
                lineStart--;
            }

            for (int i = lineStart; i < text.Length && (text[i] == ' ' || text[i] == '\t'); i++)
            {
                if (text[i] == '\t')
                {
                    return true;
                }
            }

            return text.IndexOf('\t') >= 0 && span.Start < text.Length && text[span.Start] == '\t';
        }

        private sealed class Frame
        {
            public Frame(Mark start, bool isMapping, string? anchor)
            {
                Path = string.Empty;
                Start = start;
                IsMapping = isMapping;
                Anchor = anchor;
            }

            public Mark Start { get; }

            public string Path { get; set; }

            public bool IsMapping { get; }

            public string? Anchor { get; }

            public List<YamlNode> Items { get; } = new List<YamlNode>();

            public List<YamlEntry> Entries { get; } = new List<YamlEntry>();

            public HashSet<string> Keys { get; } = new HashSet<string>(StringComparer.Ordinal);

            public YamlScalar? PendingKey { get; set; }

            public bool ExpectingKey { get; set; } = true;

            public bool DiscardValue { get; set; }

            public long Size { get; set; } = 1;
        }

        private sealed class ReaderState
        {
            private readonly DiagnosticBag _bag;
            private readonly Stack<Frame> _stack = new Stack<Frame>();
            private readonly Dictionary<string, (YamlNode Node, long Size)> _anchors = new Dictionary<string, (YamlNode, long)>(StringComparer.Ordinal);
            private readonly Mark _textEnd;
            private long _expanded;
            private bool _aliasesUsed;

            public ReaderState(DiagnosticBag bag, Mark textEnd)
            {
                _bag = bag;
                _textEnd = textEnd;
            }

            public YamlNode? Root { get; private set; }

            /// <summary>Where the innermost '[' or '{' that is still open starts, if any.</summary>
            public Mark? InnermostOpenFlow(string text)
            {
                foreach (var frame in _stack)
                {
                    long index = frame.Start.Index;
                    if (index >= 0 && index < text.Length && (text[(int)index] == '[' || text[(int)index] == '{'))
                    {
                        return frame.Start;
                    }
                }

                return null;
            }

            public bool Open(Frame frame)
            {
                if (_stack.Count >= MaxDepth)
                {
                    var at = ToSpan(frame.Start, frame.Start, _textEnd);
                    _bag.Report(DiagnosticRules.YamlTooComplex, at, ChildPath(),
                        "the YAML nests lists and maps more than " + MaxDepth + " levels deep; a spec needs at most five");
                    return false;
                }

                frame.Path = ChildPath();
                _stack.Push(frame);
                return true;
            }

            /// <summary>The YAML path of the node about to complete, e.g. encoder[2].conv2d.</summary>
            private string ChildPath()
            {
                if (_stack.Count == 0)
                {
                    return string.Empty;
                }

                var parent = _stack.Peek();
                if (!parent.IsMapping)
                {
                    return parent.Path + "[" + parent.Items.Count + "]";
                }

                if (parent.ExpectingKey || parent.PendingKey is null)
                {
                    return parent.Path;
                }

                return parent.Path.Length == 0 ? parent.PendingKey.Value : parent.Path + "." + parent.PendingKey.Value;
            }

            public bool Close(Mark end)
            {
                var frame = _stack.Pop();
                var span = ToSpan(frame.Start, end, _textEnd);
                YamlNode node = frame.IsMapping
                    ? new YamlMapping(frame.Entries.ToArray(), span)
                    : new YamlSequence(frame.Items.ToArray(), span);
                return Complete(node, frame.Size, frame.Anchor, countSelf: false);
            }

            public bool Alias(string name, SourceSpan span)
            {
                if (!_anchors.TryGetValue(name, out var target))
                {
                    _bag.Report(DiagnosticRules.YamlSyntax, span, string.Empty,
                        "the YAML does not parse: the alias '*" + name + "' refers to no anchor '&" + name + "' defined before it");
                    return false;
                }

                return Complete(target.Node, target.Size, anchor: null, aliasSpan: span);
            }

            public bool Complete(YamlNode node, long size, string? anchor, bool countSelf = true, SourceSpan? aliasSpan = null)
            {
                // Each alias use counts the whole subtree it stands for: that is what any consumer
                // walking the tree would visit, and what an expansion bomb inflates.
                _aliasesUsed |= aliasSpan is not null;
                _expanded += aliasSpan is null ? (countSelf ? 1 : 0) : size;
                if (_expanded > MaxExpandedNodes)
                {
                    string limit = MaxExpandedNodes.ToString("N0", System.Globalization.CultureInfo.InvariantCulture);
                    _bag.Report(DiagnosticRules.YamlTooComplex, aliasSpan ?? node.Span, string.Empty, _aliasesUsed
                        ? "anchors and aliases expand this YAML to more than " + limit + " nodes (an alias expansion bomb); write the spec without nested aliases"
                        : "the YAML holds more than " + limit + " values, far more than any spec needs; is this the right file?");
                    return false;
                }

                if (anchor is not null)
                {
                    _anchors[anchor] = (node, size);
                }

                if (_stack.Count == 0)
                {
                    Root ??= node;
                    return true;
                }

                var parent = _stack.Peek();
                parent.Size += size;
                if (!parent.IsMapping)
                {
                    parent.Items.Add(node);
                    return true;
                }

                if (parent.ExpectingKey)
                {
                    parent.ExpectingKey = false;
                    if (node is not YamlScalar key)
                    {
                        _bag.Report(DiagnosticRules.ComplexKey, node.Span, string.Empty,
                            "a map key must be a plain name, but this key is " + node.Describe());
                        return false;
                    }

                    if (!parent.Keys.Add(key.Value))
                    {
                        _bag.Report(DiagnosticRules.DuplicateKey, key.Span, parent.Path.Length == 0 ? key.Value : parent.Path + "." + key.Value,
                            "the key '" + key.Value + "' appears twice in the same map; the second one is ignored, remove one of them");
                        parent.DiscardValue = true;
                    }

                    parent.PendingKey = key;
                    return true;
                }

                parent.ExpectingKey = true;
                if (parent.DiscardValue)
                {
                    parent.DiscardValue = false;
                }
                else
                {
                    parent.Entries.Add(new YamlEntry(parent.PendingKey!, node));
                }

                parent.PendingKey = null;
                return true;
            }
        }
    }
}
