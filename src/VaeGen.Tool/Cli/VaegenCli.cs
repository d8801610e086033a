using System;
using System.CommandLine;
using System.CommandLine.Invocation;
using VaeGen.Tool.Commands;

namespace VaeGen.Tool.Cli;

/// <summary>
/// The command line: the verbs, parse errors as one usage line with exit code 2, and every failure
/// inside a verb turned into one <c>vaegen: error:</c> line by <see cref="ErrorReport"/>.
/// </summary>
internal static class VaegenCli
{
    public const string Description =
        "vaegen: check, explain, train, sample and evaluate variational autoencoders described by *.vae.yaml specs.\n\n" +
        "Exit codes: 0 success; 1 a spec has errors; 2 bad usage, or an input or output file that is missing, unreadable,\n" +
        "corrupt or does not fit the spec (nothing already on disk is overwritten); 3 training stopped because the loss\n" +
        "became NaN or infinite (the last good checkpoint is kept); 70 an internal error (a bug).";

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
            SchemaCommand.Create(console),
        };

        ParseResult parse = root.Parse(args);
        if (parse.Errors.Count > 0 && parse.Action is ParseErrorAction)
        {
            foreach (var error in parse.Errors)
            {
                console.Error.WriteLine("vaegen: error: " + error.Message);
            }

            string verb = parse.CommandResult.Command == root ? string.Empty : " " + parse.CommandResult.Command.Name;
            console.Error.WriteLine("Run 'vaegen" + verb + " --help' for usage.");
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
}
