using System;

namespace VaeGen.Spec.Model
{
    /// <summary>The spec keywords of <c>init:</c> (spec 1.1).</summary>
    public static class InitSchemeNames
    {
        /// <summary>Every init keyword with its scheme.</summary>
        public static readonly (string Keyword, InitScheme Scheme)[] All =
        {
            ("pytorch", InitScheme.Pytorch),
            ("xavier_uniform", InitScheme.XavierUniform),
            ("xavier_normal", InitScheme.XavierNormal),
            ("kaiming_uniform", InitScheme.KaimingUniform),
            ("kaiming_normal", InitScheme.KaimingNormal),
        };

        /// <summary>The keyword of <paramref name="scheme"/>.</summary>
        public static string ToKeyword(InitScheme scheme)
        {
            foreach (var (keyword, s) in All)
            {
                if (s == scheme)
                {
                    return keyword;
                }
            }

            throw new ArgumentOutOfRangeException(nameof(scheme));
        }
    }
}
