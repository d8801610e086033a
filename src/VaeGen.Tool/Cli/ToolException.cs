using System;

namespace VaeGen.Tool.Cli;

/// <summary>
/// A failure the user can fix (a missing file, a corrupt checkpoint, a broken spec). The message is
/// printed as the single line <c>vaegen: error: &lt;message&gt;</c>, so it starts with the file it
/// concerns and says what is wrong; no stack trace is shown.
/// </summary>
internal sealed class ToolException : Exception
{
    public ToolException(string message, int exitCode = ExitCodes.BadInput)
        : base(message)
    {
        ExitCode = exitCode;
    }

    public ToolException(string message, Exception innerException, int exitCode = ExitCodes.BadInput)
        : base(message, innerException)
    {
        ExitCode = exitCode;
    }

    /// <summary>The process exit code this failure maps to.</summary>
    public int ExitCode { get; }
}
