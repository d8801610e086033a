using System;
using System.Threading;
using Microsoft.CodeAnalysis;
using VaeGen.Spec.Checking;

namespace VaeGen.Generators.Pipeline
{
    /// <summary>The first two steps: read each <c>*.vae.yaml</c> additional file, then check it. Neither lets an exception out.</summary>
    internal static class SpecFiles
    {
        /// <summary>The file name suffix of specs.</summary>
        public const string Suffix = ".vae.yaml";

        public static bool IsSpec(AdditionalText text) => text.Path.EndsWith(Suffix, StringComparison.OrdinalIgnoreCase);

        public static SpecFile Read(AdditionalText text, CancellationToken cancellationToken)
        {
            try
            {
                var content = text.GetText(cancellationToken);
                return content is null
                    ? new SpecFile(text.Path, null, "the build could not read the file")
                    : new SpecFile(text.Path, content.ToString());
            }
            catch (OperationCanceledException)
            {
                throw;
            }
            catch (Exception ex)
            {
                return new SpecFile(text.Path, null, "VaeGen could not read the file: " + ex.GetType().Name + ": " + ex.Message);
            }
        }

        public static SpecCheckResult Check(SpecFile file, CancellationToken cancellationToken)
        {
            if (file.Text is null)
            {
                return SpecChecker.InternalFailure(file.Path, file.ReadError ?? "the build could not read the file");
            }

            try
            {
                return SpecChecker.Check(file.Path, file.Text, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                throw;
            }
            catch (Exception ex)
            {
                // SpecChecker catches its own failures; this guards the call itself.
                return SpecChecker.InternalFailure(file.Path, SpecChecker.DescribeBug("checking this spec", ex));
            }
        }
    }
}
