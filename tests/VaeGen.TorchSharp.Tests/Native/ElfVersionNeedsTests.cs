using System;
using System.IO;
using System.Linq;
using System.Reflection;
using VaeGen.Build;
using VaeGen.Testing;
using Xunit;

namespace VaeGen.TorchSharpTests.Native;

/// <summary>
/// build/ElfVersionNeeds.cs on the real libLibTorchSharp.so of the TorchSharp package (read from the NuGet cache, never
/// written), and the copy build/TorchSharp.Glibcxx.targets patched in this test project's output.
/// </summary>
public sealed class ElfVersionNeedsTests
{
    private const string Needed = "GLIBCXX_3.4.32";
    private const string Fallback = "GLIBCXX_3.4.30";
    private const string Libstdcxx = "libstdc++.so.6";

    private static readonly string Packaged = typeof(ElfVersionNeedsTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "PackagedLibTorchSharp").Value!;

    private static readonly string InOutput = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");

    [Fact]
    public void The_hash_function_gives_the_hashes_the_linker_stored()
    {
        var needs = ElfVersionNeeds.ReadNeeds(File.ReadAllBytes(Packaged));
        Assert.True(needs.Count > 20, "expected the library's ~30 version needs, read " + needs.Count);
        foreach (var need in needs)
        {
            Assert.True(ElfVersionNeeds.Hash(need.Version) == need.Hash, need.Version + ": stored hash " + need.Hash.ToString("x") + ", computed " + ElfVersionNeeds.Hash(need.Version).ToString("x"));
        }
    }

    [Fact]
    public void The_packaged_library_needs_GLIBCXX_3_4_32_and_already_names_3_4_30()
    {
        var needs = ElfVersionNeeds.ReadNeeds(File.ReadAllBytes(Packaged));
        Assert.Single(needs, n => n.File == Libstdcxx && n.Version == Needed);
        Assert.Single(needs, n => n.File == Libstdcxx && n.Version == Fallback);
    }

    [Fact]
    public void Retarget_changes_only_the_hash_and_name_of_that_one_entry()
    {
        byte[] original = File.ReadAllBytes(Packaged);
        byte[] patched = (byte[])original.Clone();
        var entry = ElfVersionNeeds.ReadNeeds(original).Single(n => n.Version == Needed);

        Assert.Equal(RetargetOutcome.Patched, ElfVersionNeeds.Retarget(patched, Libstdcxx, Needed, Fallback));

        var changed = Enumerable.Range(0, original.Length).Where(i => original[i] != patched[i]).ToList();
        Assert.NotEmpty(changed);
        Assert.All(changed, i => Assert.True((i >= entry.Offset && i < entry.Offset + 4) || (i >= entry.Offset + 8 && i < entry.Offset + 12),
            "byte " + i + " changed, outside vna_hash and vna_name of the entry at " + entry.Offset));
        var after = ElfVersionNeeds.ReadNeeds(patched);
        Assert.DoesNotContain(after, n => n.Version == Needed);
        var retargeted = after.Single(n => n.Offset == entry.Offset);
        Assert.Equal(Fallback, retargeted.Version);
        Assert.Equal(ElfVersionNeeds.Hash(Fallback), retargeted.Hash);
        Assert.Equal(RetargetOutcome.NothingToPatch, ElfVersionNeeds.Retarget(patched, Libstdcxx, Needed, Fallback));
    }

    [Fact]
    public void A_version_the_string_table_lacks_is_refused_without_a_change()
    {
        byte[] copy = File.ReadAllBytes(Packaged);
        byte[] before = (byte[])copy.Clone();
        var error = Assert.Throws<InvalidDataException>(() => ElfVersionNeeds.Retarget(copy, Libstdcxx, Needed, "GLIBCXX_9.9.9"));
        Assert.Contains("GLIBCXX_9.9.9", error.Message);
        Assert.Equal(before, copy);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(63)]
    [InlineData(4096)]
    public void Truncated_or_foreign_files_are_refused_with_InvalidDataException(int length)
    {
        byte[] bytes = File.ReadAllBytes(Packaged).AsSpan(0, length).ToArray();
        Assert.Throws<InvalidDataException>(() => ElfVersionNeeds.ReadNeeds(bytes));
        Assert.Throws<InvalidDataException>(() => ElfVersionNeeds.ReadNeeds(new byte[] { 0x4d, 0x5a, 0x90, 0 }.Concat(new byte[100]).ToArray()));
    }

    [Fact]
    public void The_build_patched_the_output_copy_exactly_when_the_system_libstdcxx_lacks_the_version()
    {
        string system = new[] { "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib64/libstdc++.so.6" }.First(File.Exists);
        bool systemHasIt = ElfVersionNeeds.ReadDefinitions(File.ReadAllBytes(system)).Contains(Needed);
        Assert.Contains(Fallback, ElfVersionNeeds.ReadDefinitions(File.ReadAllBytes(system)));

        var output = ElfVersionNeeds.ReadNeeds(File.ReadAllBytes(InOutput));
        Assert.Equal(systemHasIt, output.Any(n => n.Version == Needed));
        if (systemHasIt)
        {
            Assert.Equal(File.ReadAllBytes(Packaged), File.ReadAllBytes(InOutput));
        }

        // The package cache is never touched.
        Assert.Contains(ElfVersionNeeds.ReadNeeds(File.ReadAllBytes(Packaged)), n => n.Version == Needed);
    }

    [Fact]
    public void RetargetCopy_writes_a_new_file_and_leaves_the_source_alone()
    {
        using var folder = new TempFolder("vaegen-elf-");
        string destination = folder.File("libLibTorchSharp.so");
        Assert.Equal(RetargetOutcome.Patched, ElfVersionNeeds.RetargetCopy(Packaged, destination, Libstdcxx, Needed, Fallback));
        Assert.DoesNotContain(ElfVersionNeeds.ReadNeeds(File.ReadAllBytes(destination)), n => n.Version == Needed);
        Assert.Contains(ElfVersionNeeds.ReadNeeds(File.ReadAllBytes(Packaged)), n => n.Version == Needed);
        Assert.Equal(RetargetOutcome.NothingToPatch, ElfVersionNeeds.RetargetCopy(destination, destination, Libstdcxx, Needed, Fallback));
        Assert.False(File.Exists(destination + ".patching"));
    }
}
