#!/usr/bin/env python3
# Regenerates the three tables derived from src/VaeGen.Spec/Diagnostics/DiagnosticRules.cs: the generator's
# Roslyn descriptors, AnalyzerReleases.Unshipped.md and README.md's catalog. Tests fail when they drift.
import re
import os
root=os.path.join(os.path.dirname(os.path.abspath(__file__)), '..') + '/'
src=open(root+'src/VaeGen.Spec/Diagnostics/DiagnosticRules.cs').read()
rows=re.findall(r'public static readonly DiagnosticRule (\w+) = new DiagnosticRule\(\s*"(VAE\d+)", RuleCategory\.(\w+), Severity\.(\w+), "((?:[^"\\]|\\.)*)",\s*"((?:[^"\\]|\\.)*)",\s*"((?:[^"\\]|\\.)*)"\);',src)
un=lambda t: t.replace('\\"','"')
# AnalyzerReleases.Unshipped.md
out=["; Unshipped analyzer release","; https://github.com/dotnet/roslyn-analyzers/blob/main/src/Microsoft.CodeAnalysis.Analyzers/ReleaseTrackingAnalyzers.Help.md","","### New Rules","","Rule ID | Category | Severity | Notes","--------|----------|----------|-------"]
out+=[f"{i} | VaeGen.{c} | {s} | {un(t)}" for n,i,c,s,t,tr,fx in rows]
open(root+'generators/VaeGen.Generators/AnalyzerReleases.Unshipped.md','w').write("\n".join(out)+"\n")
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
        private const string HelpLink = "https://github.com/vaegen/vaegen/blob/main/README.md#diagnostics";
''']
for n,i,c,s,t,tr,fx in rows:
    d.append(f'''        public static readonly DiagnosticDescriptor {n} = new DiagnosticDescriptor(
            "{i}", DiagnosticRules.{n}.Title, "{{0}}", "VaeGen.{c}", DiagnosticSeverity.{s}, isEnabledByDefault: true,
            description: DiagnosticRules.{n}.Trigger + " " + DiagnosticRules.{n}.Fix, helpLinkUri: HelpLink);
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
open(root+'generators/VaeGen.Generators/Diagnostics/DiagnosticDescriptors.cs','w').write("\n".join(d))
# README catalog
readme=open(root+'README.md').read()
table="\n".join(f"| {i} | {s.lower()} | {un(t).replace('|','/')} | {un(tr).replace('|','/')} | {un(fx).replace('|','/')} |" for n,i,c,s,t,tr,fx in rows)
readme=re.sub(r'(\| ID \| severity \| title \| trigger \| fix \|\n\|---\|---\|---\|---\|---\|\n)(\| VAE.*\n)+', lambda m: m.group(1)+table+"\n", readme)
open(root+'README.md','w').write(readme)
print(len(rows),"rules")
