using VaeGen.Tool.Cli;

namespace VaeGen.Tool;

/// <summary>The <c>vaegen</c> executable.</summary>
internal static class Program
{
    private static int Main(string[] args) => VaegenCli.Run(args, ToolConsole.ForProcess());
}
