using System;
using System.CommandLine;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using System.Linq;
using VaeGen.Tool.Commands;

namespace VaeGen.Tool.Cli;

/// <summary>
/// The command line: the verbs, parse errors as one usage line with exit code 2, and every failure
/// inside a verb turned into one <c>vaegen: error:</c> line by <see cref="ErrorReport"/>.
/// </summary>
internal static class VaegenCli
{
    public const string Description =
        "vaegen: check, explain, train, sample, evaluate and export (ONNX) variational autoencoders described by *.vae.yaml specs.\n\n" +
        "Exit codes: 0 success; 1 a spec has errors; 2 bad usage, or an input or output file that is missing, unreadable,\n" +
        "corrupt or does not fit the spec (nothing already on disk is overwritten); 3 training stopped because the loss\n" +
        "became NaN or infinite (the last good checkpoint is kept); 130 or 143 training stopped by SIGINT or SIGTERM at a\n" +
        "step boundary (the last checkpoint is kept; the message says how to resume); 70 an internal error (a bug).";

    public static int Run(string[] args, ToolConsole console)
    {
        var root = new RootCommand(Description)
        {
            CheckCommand.Create(console),
            ExplainCommand.Create(console),
            TrainCommand.Create(console),
            SampleCommand.Create(console),
            InterpolateCommand.Create(console),
            EvalCommand.Create(console),
            BenchCommand.Create(console),
            ExportCommand.Create(console),
            SchemaCommand.Create(console),
        };

        ParseResult parse = root.Parse(args);
        if (parse.Errors.Count > 0 && parse.Action is ParseErrorAction)
        {
            console.Error.WriteLine(UsageError(root, parse));
            return ExitCodes.BadInput;
        }

        try
        {
            return parse.Invoke(new InvocationConfiguration { Output = console.Out, Error = console.Error, EnableDefaultExceptionHandler = false });
        }
#pragma warning disable CA1031 // The one place every failure is turned into a message and an exit code.
        catch (Exception e)
#pragma warning restore CA1031
        {
            console.Out.Flush();
            return ErrorReport.Report(console, e);
        }
    }

    /// <summary>
    /// One line for a command line that does not parse: the most specific error (an unknown verb says
    /// so rather than "Required command was not provided."), with where to find the usage.
    /// </summary>
    private static string UsageError(RootCommand root, ParseResult parse)
    {
        ParseError first = parse.Errors[0];
        if (parse.CommandResult.Command == root && parse.UnmatchedTokens.Count > 0)
        {
            // System.CommandLine reports a missing verb first even when the user typed a word that is not one.
            first = parse.Errors.FirstOrDefault(e => e.Message.Contains("'" + parse.UnmatchedTokens[0] + "'", StringComparison.Ordinal)) ?? first;
        }

        string verb = parse.CommandResult.Command == root ? string.Empty : " " + parse.CommandResult.Command.Name;
        return "vaegen: error: " + first.Message.TrimEnd('.') + " (see 'vaegen" + verb + " --help')";
    }
}
