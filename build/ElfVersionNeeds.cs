// The ELF edit that lets TorchSharp 0.107's native library load on distributions whose libstdc++ is older
// than GCC 13 (Debian 12, Ubuntu 22.04, RHEL 9). Compiled twice: by the MSBuild task at the end of this
// file (build/TorchSharp.Glibcxx.targets loads it with RoslynCodeTaskFactory) and, without the task, by
// tests/VaeGen.TorchSharp.Tests, which tests it directly. Plain C# with no dependency, so it can be copied.
//
// Why the edit is safe: libLibTorchSharp.so 0.107.0 needs GLIBCXX_3.4.32 only for the symbol
// _ZSt21ios_base_library_initv, which it names in a bare .globl (no relocation refers to it), so the
// dynamic loader never looks it up; it refuses the library only because the version-needed entry names
// a version the system's libstdc++ does not define. Pointing that one entry (its ELF hash and its name)
// at GLIBCXX_3.4.30, which the same library already needs, removes the refusal and nothing else.
using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace VaeGen.Build
{
    /// <summary>What <see cref="ElfVersionNeeds.Retarget"/> did to a library.</summary>
    public enum RetargetOutcome
    {
        /// <summary>The entry now names the new version.</summary>
        Patched,

        /// <summary>No entry needs the old version (already patched, or a library built against an older libstdc++).</summary>
        NothingToPatch,
    }

    /// <summary>Reads and edits the version-needed (<c>.gnu.version_r</c>) and version-definition (<c>.gnu.version_d</c>) sections of a 64-bit little-endian ELF file.</summary>
    public static class ElfVersionNeeds
    {
        private const uint ShtGnuVerdef = 0x6ffffffd;
        private const uint ShtGnuVerneed = 0x6ffffffe;

        /// <summary>One version-needed entry (an <c>Elf64_Vernaux</c>) and where it is in the file.</summary>
        public readonly struct Need
        {
            public Need(string file, string version, uint hash, int offset)
            {
                File = file;
                Version = version;
                Hash = hash;
                Offset = offset;
            }

            /// <summary>The library the version is needed from, e.g. <c>libstdc++.so.6</c>.</summary>
            public string File { get; }

            /// <summary>The version name, e.g. <c>GLIBCXX_3.4.32</c>.</summary>
            public string Version { get; }

            /// <summary>vna_hash as stored (the loader compares it with the definition's hash).</summary>
            public uint Hash { get; }

            /// <summary>File offset of the Elf64_Vernaux.</summary>
            public int Offset { get; }
        }

        /// <summary>The System V ELF hash of a version name, as vna_hash and vd_hash store it.</summary>
        public static uint Hash(string name)
        {
            uint h = 0;
            foreach (byte c in Encoding.ASCII.GetBytes(name))
            {
                h = (h << 4) + c;
                uint g = h & 0xf0000000;
                if (g != 0)
                {
                    h ^= g >> 24;
                }

                h &= ~g;
            }

            return h;
        }

        /// <summary>Every version the library needs, in file order.</summary>
        public static List<Need> ReadNeeds(byte[] elf)
        {
            var needs = new List<Need>();
            foreach (var (offset, size, strings) in Sections(elf, ShtGnuVerneed))
            {
                int entry = offset;
                while (true)
                {
                    Check(elf, entry, 16, "Elf64_Verneed");
                    int count = U16(elf, entry + 2);
                    string file = String(elf, strings, U32(elf, entry + 4));
                    int aux = entry + (int)U32(elf, entry + 8);
                    for (int i = 0; i < count; i++)
                    {
                        Check(elf, aux, 16, "Elf64_Vernaux");
                        needs.Add(new Need(file, String(elf, strings, U32(elf, aux + 8)), U32(elf, aux), aux));
                        uint nextAux = U32(elf, aux + 12);
                        if (nextAux == 0)
                        {
                            break;
                        }

                        aux += (int)nextAux;
                    }

                    uint next = U32(elf, entry + 12);
                    if (next == 0 || entry + next >= offset + size)
                    {
                        break;
                    }

                    entry += (int)next;
                }
            }

            return needs;
        }

        /// <summary>Every version the library defines (for libstdc++.so.6: GLIBCXX_3.4 ... GLIBCXX_3.4.N, CXXABI_...).</summary>
        public static List<string> ReadDefinitions(byte[] elf)
        {
            var names = new List<string>();
            foreach (var (offset, size, strings) in Sections(elf, ShtGnuVerdef))
            {
                int entry = offset;
                while (true)
                {
                    Check(elf, entry, 20, "Elf64_Verdef");
                    int aux = entry + (int)U32(elf, entry + 12);
                    Check(elf, aux, 8, "Elf64_Verdaux");
                    names.Add(String(elf, strings, U32(elf, aux)));
                    uint next = U32(elf, entry + 16);
                    if (next == 0 || entry + next >= offset + size)
                    {
                        break;
                    }

                    entry += (int)next;
                }
            }

            return names;
        }

        /// <summary>
        /// Makes every entry that needs <paramref name="from"/> of <paramref name="file"/> need <paramref name="to"/> instead:
        /// vna_hash becomes Hash(to) and vna_name the offset of an existing <paramref name="to"/> string in the section's string
        /// table (the library must already name that version: nothing is added, so no offset in the file moves).
        /// </summary>
        public static RetargetOutcome Retarget(byte[] elf, string file, string from, string to)
        {
            var targets = ReadNeeds(elf).FindAll(n => n.File == file && n.Version == from);
            if (targets.Count == 0)
            {
                return RetargetOutcome.NothingToPatch;
            }

            var (_, _, strings) = Sections(elf, ShtGnuVerneed)[0];
            int name = FindString(elf, strings, to);
            if (name < 0)
            {
                throw new InvalidDataException("The library's string table has no \"" + to + "\" to point the " + from + " entry at.");
            }

            foreach (var need in targets)
            {
                WriteU32(elf, need.Offset, Hash(to));
                WriteU32(elf, need.Offset + 8, (uint)name);
            }

            return RetargetOutcome.Patched;
        }

        /// <summary>
        /// Writes a copy of <paramref name="source"/> to <paramref name="destination"/> with <paramref name="from"/> retargeted
        /// (see <see cref="Retarget"/>). The destination is replaced by a rename, never written in place, so a hard link to a
        /// package cache is never modified. Returns <see cref="RetargetOutcome.NothingToPatch"/> (and writes nothing when the
        /// two paths are the same) when no entry needs <paramref name="from"/>.
        /// </summary>
        public static RetargetOutcome RetargetCopy(string source, string destination, string file, string from, string to)
        {
            byte[] elf = System.IO.File.ReadAllBytes(source);
            RetargetOutcome outcome = Retarget(elf, file, from, to);
            if (outcome == RetargetOutcome.NothingToPatch && Path.GetFullPath(source) == Path.GetFullPath(destination))
            {
                return outcome;
            }

            string temporary = destination + ".patching";
            System.IO.File.WriteAllBytes(temporary, elf);
            // netstandard2.0 (MSBuild's inline tasks) has no File.Move with overwrite.
            System.IO.File.Delete(destination);
            System.IO.File.Move(temporary, destination);
            return outcome;
        }

        /// <summary>(file offset, size, file offset of the linked string table) of each section of the type.</summary>
        private static List<(int Offset, int Size, int Strings)> Sections(byte[] elf, uint type)
        {
            Check(elf, 0, 64, "ELF header");
            if (elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            {
                throw new InvalidDataException("Not an ELF file.");
            }

            if (elf[4] != 2 || elf[5] != 1)
            {
                throw new InvalidDataException("Only 64-bit little-endian ELF files are handled (EI_CLASS " + elf[4] + ", EI_DATA " + elf[5] + ").");
            }

            long headers = (long)U64(elf, 0x28);
            int entrySize = U16(elf, 0x3a);
            int count = U16(elf, 0x3c);
            if (entrySize < 64)
            {
                throw new InvalidDataException("Section header entries of " + entrySize + " bytes; Elf64_Shdr has 64.");
            }

            var found = new List<(int, int, int)>();
            for (int i = 0; i < count; i++)
            {
                int header = checked((int)(headers + (i * (long)entrySize)));
                Check(elf, header, 64, "section header " + i);
                if (U32(elf, header + 4) != type)
                {
                    continue;
                }

                int link = (int)U32(elf, header + 40);
                int linked = checked((int)(headers + (link * (long)entrySize)));
                Check(elf, linked, 64, "section header " + link);
                found.Add((checked((int)U64(elf, header + 24)), checked((int)U64(elf, header + 32)), checked((int)U64(elf, linked + 24))));
            }

            return found;
        }

        private static int FindString(byte[] elf, int strings, string value)
        {
            byte[] wanted = Encoding.ASCII.GetBytes(value + "\0");
            // A string table starts with a NUL; every string follows one. Any NUL-terminated suffix is a valid name too.
            for (int i = strings + 1; i + wanted.Length <= elf.Length; i++)
            {
                if (elf[i - 1] == 0 && Matches(elf, i, wanted))
                {
                    return i - strings;
                }

                if (i - strings > (1 << 24))
                {
                    break;
                }
            }

            return -1;
        }

        private static bool Matches(byte[] elf, int at, byte[] wanted)
        {
            for (int k = 0; k < wanted.Length; k++)
            {
                if (elf[at + k] != wanted[k])
                {
                    return false;
                }
            }

            return true;
        }

        private static string String(byte[] elf, int strings, uint offset)
        {
            int start = checked(strings + (int)offset);
            int end = Array.IndexOf(elf, (byte)0, start);
            if (end < 0)
            {
                throw new InvalidDataException("Unterminated string at " + start + ".");
            }

            return Encoding.ASCII.GetString(elf, start, end - start);
        }

        private static void Check(byte[] elf, int offset, int length, string what)
        {
            if (offset < 0 || offset > elf.Length - length)
            {
                throw new InvalidDataException("Truncated ELF file: " + what + " at " + offset + " runs past the end (" + elf.Length + " bytes).");
            }
        }

        private static int U16(byte[] b, int o) => b[o] | (b[o + 1] << 8);

        private static uint U32(byte[] b, int o) => (uint)(b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24));

        private static ulong U64(byte[] b, int o) => U32(b, o) | ((ulong)U32(b, o + 4) << 32);

        private static void WriteU32(byte[] b, int o, uint v)
        {
            b[o] = (byte)v;
            b[o + 1] = (byte)(v >> 8);
            b[o + 2] = (byte)(v >> 16);
            b[o + 3] = (byte)(v >> 24);
        }
    }

#if !VAEGEN_ELF_WITHOUT_MSBUILD
    /// <summary>
    /// MSBuild task: for each library in <c>Libraries</c> that needs a GLIBCXX version the system's libstdc++ does not define,
    /// retargets that need to <c>Fallback</c> in place (the file is replaced by a rename). A no-op where the system has the version.
    /// </summary>
    public sealed class RetargetGlibcxxNeed : Microsoft.Build.Utilities.Task
    {
        /// <summary>Where copies to patch may be (in the build or publish output, never the package cache); paths that do not exist are skipped.</summary>
        [Microsoft.Build.Framework.Required]
        public Microsoft.Build.Framework.ITaskItem[] Libraries { get; set; } = Array.Empty<Microsoft.Build.Framework.ITaskItem>();

        /// <summary>The version the library asks for, e.g. GLIBCXX_3.4.32.</summary>
        [Microsoft.Build.Framework.Required]
        public string Version { get; set; } = string.Empty;

        /// <summary>The version to ask for instead, e.g. GLIBCXX_3.4.30; the library must already need it.</summary>
        [Microsoft.Build.Framework.Required]
        public string Fallback { get; set; } = string.Empty;

        /// <summary>The libstdc++ the loader will use; empty: the first of the usual locations that exists.</summary>
        public string SystemLibrary { get; set; } = string.Empty;

        public override bool Execute()
        {
            string system = SystemLibrary.Length > 0 ? SystemLibrary : Array.Find(
                new[] { "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib/aarch64-linux-gnu/libstdc++.so.6", "/usr/lib64/libstdc++.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib/libstdc++.so.6" },
                System.IO.File.Exists) ?? string.Empty;
            if (system.Length == 0)
            {
                Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Low, "No system libstdc++.so.6 found; nothing to patch.");
                return true;
            }

            if (ElfVersionNeeds.ReadDefinitions(System.IO.File.ReadAllBytes(system)).Contains(Version))
            {
                Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Low, system + " defines " + Version + "; nothing to patch.");
                return true;
            }

            foreach (var library in Libraries)
            {
                string path = library.ItemSpec;
                if (!System.IO.File.Exists(path))
                {
                    continue;
                }

                var outcome = ElfVersionNeeds.RetargetCopy(path, path, "libstdc++.so.6", Version, Fallback);
                Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Normal,
                    path + (outcome == RetargetOutcome.Patched ? ": needs " + Fallback + " instead of " + Version + " (" + system + " stops at an older version)" : ": does not need " + Version));
            }

            return !Log.HasLoggedErrors;
        }
    }
#endif
}
