#!/usr/bin/env python3
# Regenerates the three tables derived from src/VaeGen.Spec/Diagnostics/DiagnosticRules.cs: the generator's
# Roslyn descriptors, AnalyzerReleases.Unshipped.md and README.md's catalog. Tests fail when they drift.
# With --check it writes nothing and exits 1 if any of the three differs from what it would write
# (DiagnosticCatalogTests run it that way).
import re
import os
import sys
check='--check' in sys.argv[1:]
outputs={}
root=os.path.join(os.path.dirname(os.path.abspath(__file__)), '..') + '/'
src=open(root+'src/VaeGen.Spec/Diagnostics/DiagnosticRules.cs').read()
rows=re.findall(r'public static readonly DiagnosticRule (\w+) = new DiagnosticRule\(\s*"(VAE\d+)", RuleCategory\.(\w+), Severity\.(\w+), "((?:[^"\\]|\\.)*)",\s*"((?:[^"\\]|\\.)*)",\s*"((?:[^"\\]|\\.)*)"\);',src)
un=lambda t: t.replace('\\"','"')
# AnalyzerReleases.Unshipped.md
out=["; Unshipped analyzer release","; https://github.com/dotnet/roslyn-analyzers/blob/main/src/Microsoft.CodeAnalysis.Analyzers/ReleaseTrackingAnalyzers.Help.md","","### New Rules","","Rule ID | Category | Severity | Notes","--------|----------|----------|-------"]
out+=[f"{i} | VaeGen.{c} | {s} | {un(t)}" for n,i,c,s,t,tr,fx in rows]
outputs['generators/VaeGen.Generators/AnalyzerReleases.Unshipped.md']="\n".join(out)+"\n"
# Descriptors
d=['''using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using VaeGen.Spec.Diagnostics;

namespace VaeGen.Generators.Diagnostics
{
    /// <summary>
    /// Roslyn descriptors, one per rule of <see cref="DiagnosticRules"/> (the single source of titles,
    /// triggers and fixes). IDs, categories and severities are literals so analyzer release tracking
    /// (AnalyzerReleases.*.md) can read them; a unit test checks they agree with the catalog. The
    /// message of every descriptor is the checker's complete, already formatted text.
    /// </summary>
    internal static class DiagnosticDescriptors
    {
        internal const string HelpLink = "https://github.com/vaegen/vaegen/blob/main/README.md#diagnostics";
''']
# What a few descriptors carry besides the catalog's columns: a doc comment, or Roslyn custom tags.
comments={'StandInUsed':'''        /// <summary>
        /// Reported by the C# compiler, not by VaeGen: it is the DiagnosticId of the broken spec's stand-in
        /// class's Obsolete attribute. Listed so the catalog and release tracking know the ID.
        /// </summary>
'''}
tags={'DuplicateClassName':''',
            customTags: WellKnownDiagnosticTags.CompilationEnd); // reported by SpecAnalyzer's compilation action, which needs every spec'''}
for n,i,c,s,t,tr,fx in rows:
    d.append(comments.get(n,'')+f'''        public static readonly DiagnosticDescriptor {n} = new DiagnosticDescriptor(
            "{i}", DiagnosticRules.{n}.Title, "{{0}}", "VaeGen.{c}", DiagnosticSeverity.{s}, isEnabledByDefault: true,
            description: DiagnosticRules.{n}.Trigger + " " + DiagnosticRules.{n}.Fix, helpLinkUri: HelpLink{tags.get(n,');')}
''')
d.append('''        private static readonly Dictionary<string, DiagnosticDescriptor> ById = new Dictionary<string, DiagnosticDescriptor>
        {''')
d+=[f'            [{n}.Id] = {n},' for n,i,c,s,t,tr,fx in rows]
d.append('''        };

        /// <summary>Every descriptor.</summary>
        public static IEnumerable<DiagnosticDescriptor> All => ById.Values;

        /// <summary>The descriptor of a rule ID (VAE9001 for an unknown one, which would be a VaeGen bug).</summary>
        public static DiagnosticDescriptor For(string id) => ById.TryGetValue(id, out var descriptor) ? descriptor : InternalError;
    }
}
''')
outputs['generators/VaeGen.Generators/Diagnostics/DiagnosticDescriptors.cs']="\n".join(d)
# README catalog
readme=open(root+'README.md').read()
table="\n".join(f"| {i} | {s.lower()} | {un(t).replace('|','/')} | {un(tr).replace('|','/')} | {un(fx).replace('|','/')} |" for n,i,c,s,t,tr,fx in rows)
readme=re.sub(r'(\| ID \| severity \| title \| trigger \| fix \|\n\|---\|---\|---\|---\|---\|\n)(\| VAE.*\n)+', lambda m: m.group(1)+table+"\n", readme)
outputs['README.md']=readme
stale=[path for path,text in outputs.items() if open(root+path).read()!=text]
if check:
    for path in stale:
        print(path+": out of date with src/VaeGen.Spec/Diagnostics/DiagnosticRules.cs; run tools/regenerate-diagnostic-tables.py")
    sys.exit(1 if stale else 0)
for path in stale:
    open(root+path,'w').write(outputs[path])
print(len(rows),"rules;",len(stale),"files rewritten")
