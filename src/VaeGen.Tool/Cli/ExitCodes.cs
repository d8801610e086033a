namespace VaeGen.Tool.Cli;

/// <summary>
/// The process exit codes, one per kind of failure, so scripts and CI can tell a broken spec from a
/// missing file without parsing messages. Documented in <c>vaegen --help</c>.
/// </summary>
internal static class ExitCodes
{
    /// <summary>Everything worked.</summary>
    public const int Success = 0;

    /// <summary>A spec has errors (the build would fail the same way).</summary>
    public const int SpecErrors = 1;

    /// <summary>Bad usage, or an input or output file that is missing, unreadable, corrupt or does not fit the spec.</summary>
    public const int BadInput = 2;

    /// <summary>Training stopped because the loss became NaN or infinite; the last good checkpoint is kept.</summary>
    public const int TrainingDiverged = 3;

    /// <summary>Training stopped at a step boundary on SIGINT (Ctrl+C); the last checkpoint is intact. SIGTERM gives 143.</summary>
    public const int Interrupted = 130;

    /// <summary>A bug in vaegen: something failed that no input should make fail.</summary>
    public const int InternalError = 70;
}
