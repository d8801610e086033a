using System;
using System.IO;
using VaeGen.Data;
using VaeGen.Runtime.IO;

namespace VaeGen.Tool.Cli;

/// <summary>
/// Turns whatever a command threw into the one line a user sees and the exit code, so every verb
/// reports bad input the same way and none shows a stack trace for it.
/// </summary>
internal static class ErrorReport
{
    /// <summary>Set to 1 to get the stack trace of an internal error, for bug reports.</summary>
    public const string DebugVariable = "VAEGEN_DEBUG";

    public static (string Message, int ExitCode) Describe(Exception exception) => exception switch
    {
        ToolException tool => (tool.Message, tool.ExitCode),

        // The runtime's readers already start their messages with the file and say what is wrong.
        DataFormatException or SafeTensorsException => (exception.Message, ExitCodes.BadInput),
        FileNotFoundException { FileName: { } file } => (file + ": file not found", ExitCodes.BadInput),
        FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException or IOException => (exception.Message, ExitCodes.BadInput),
        OperationCanceledException => ("interrupted; files are written atomically, so what is on disk is the last complete state", ExitCodes.BadInput),
        _ => ("internal error (" + exception.GetType().Name + ": " + exception.Message + "); this is a bug in vaegen, please report it with the command line" +
              (Environment.GetEnvironmentVariable(DebugVariable) == "1" ? Environment.NewLine + exception : "; set " + DebugVariable + "=1 for the stack trace"),
              ExitCodes.InternalError),
    };

    public static int Report(ToolConsole console, Exception exception)
    {
        var (message, code) = Describe(exception);
        console.Error.WriteLine("vaegen: error: " + message);
        return code;
    }
}
