namespace VaeGen.Spec.Diagnostics
{
    /// <summary>How serious a diagnostic is. Errors stop code generation; warnings do not.</summary>
    public enum Severity
    {
        /// <summary>The spec works but is probably not what was meant.</summary>
        Warning = 1,

        /// <summary>The spec cannot produce a working model.</summary>
        Error = 2,
    }
}
