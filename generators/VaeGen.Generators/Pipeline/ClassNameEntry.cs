using System.Linq;
using VaeGen.Spec.Checking;
using VaeGen.Spec.Collections;

namespace VaeGen.Generators.Pipeline
{
    /// <summary>A generated class and the spec file it comes from; positions are left out so moving text does not re-emit.</summary>
    internal sealed record ClassNameEntry(string FullName, string FilePath)
    {
        /// <summary>The entry the duplicate check (VAE1109) needs, with where the name is written; null when the spec has no readable name.</summary>
        public static DuplicateClassNames.Entry? ForDuplicateCheck(SpecTarget target) =>
            target.FullName is { } fullName ? new DuplicateClassNames.Entry(fullName, target.Check.FilePath, target.Check.NameSpan) : null;

        /// <summary>Every named class without positions, to decide which spec owns a class name.</summary>
        public static EquatableArray<ClassNameEntry> Owners(System.Collections.Immutable.ImmutableArray<DuplicateClassNames.Entry?> entries) =>
            entries.Where(e => e is not null).Select(e => new ClassNameEntry(e!.FullName, e.FilePath)).ToEquatableArray();

        /// <summary>
        /// Of two specs generating the same class only the first (by path) is emitted: hint names
        /// must be unique, and VAE1109 reports both files.
        /// </summary>
        public static EmitModel? FirstOwnerOnly(EmitModel? model, EquatableArray<ClassNameEntry> owners) =>
            model is not null && !owners.Any(o => o.FullName == model.FullName && string.CompareOrdinal(o.FilePath, model.FilePath) < 0) ? model : null;
    }
}
