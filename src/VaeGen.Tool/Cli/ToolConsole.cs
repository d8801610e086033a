using System;
using System.IO;
using Spectre.Console;

namespace VaeGen.Tool.Cli;

/// <summary>
/// Where the tool writes. Results go to plain <see cref="Out"/> and failures to plain
/// <see cref="Error"/>, so both pipe cleanly; only tables and progress bars go through Spectre
/// (<see cref="Ansi"/>), which writes to the same stdout.
/// </summary>
internal sealed class ToolConsole
{
    // Piped output has no terminal width; a table wider than Spectre's fallback of 80 columns would
    // wrap its descriptions mid-word in a file, so allow what the longest layer row needs.
    private const int RedirectedWidth = 160;

    public ToolConsole(TextWriter output, TextWriter error, bool outputIsTerminal)
    {
        Out = output;
        Error = error;
        IsTerminal = outputIsTerminal;
        Ansi = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = outputIsTerminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = outputIsTerminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = outputIsTerminal ? InteractionSupport.Detect : InteractionSupport.No,
        });
        if (!outputIsTerminal)
        {
            Ansi.Profile.Width = RedirectedWidth;
        }
    }

    /// <summary>Results: what a command produces.</summary>
    public TextWriter Out { get; }

    /// <summary>Errors, warnings and notes about what the tool chose on the user's behalf.</summary>
    public TextWriter Error { get; }

    /// <summary>Spectre's console over <see cref="Out"/>, for tables and progress bars only.</summary>
    public IAnsiConsole Ansi { get; }

    /// <summary>True when a person watches stdout: live progress bars instead of one line per epoch.</summary>
    public bool IsTerminal { get; }

    /// <summary>The process's own console: stdout and stderr, with live output only on a terminal.</summary>
    public static ToolConsole ForProcess() =>
        new(Console.Out, Console.Error, !Console.IsOutputRedirected && Environment.GetEnvironmentVariable("TERM") is not "dumb");

    // Warnings and notes go to stderr so that stdout carries only results, which scripts parse.
    public void Warning(string message) => Error.WriteLine("vaegen: warning: " + message);

    public void Note(string message) => Error.WriteLine("vaegen: " + message);
}
