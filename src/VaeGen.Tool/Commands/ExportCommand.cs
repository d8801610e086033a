using System.CommandLine;
using System.Collections.Generic;
using System.IO;
using VaeGen.Onnx;
using VaeGen.Runtime.Models;
using VaeGen.Tool.Cli;
using VaeGen.Tool.Models;

namespace VaeGen.Tool.Commands;

/// <summary><c>vaegen export</c>: trained weights as ONNX graphs (encoder.onnx, decoder.onnx, vae.onnx) for serving with ONNX Runtime or any other engine.</summary>
internal static class ExportCommand
{
    public static Command Create(ToolConsole console)
    {
        var spec = ToolOptions.Spec();
        var weights = ToolOptions.Weights();
        var output = new Option<string>("--out")
        {
            Description = "The folder to write encoder.onnx, decoder.onnx and vae.onnx into (created if missing; files of those names are replaced).",
            Required = true,
            HelpName = "folder",
        };
        var command = new Command("export", $"Export the model with trained weights to ONNX (opset {VaeOnnx.OpsetVersion}, dynamic batch): encoder.onnx (x -> mu, logvar), decoder.onnx (z -> reconstruction), vae.onnx (x, eps -> reconstruction, mu, logvar).")
        {
            spec, weights, output,
        };
        command.SetAction(parse => Run(console, parse.GetRequiredValue(spec), parse.GetRequiredValue(weights), parse.GetRequiredValue(output)));
        return command;
    }

    private static int Run(ToolConsole console, string specPath, string weightsPath, string output)
    {
        SpecFile spec = SpecFile.Load(specPath, console);
        OutputPaths.PrepareFolder(output);
        VaeModel model = SpecModelFactory.Create(spec.Plan, seed: 0);
        WeightsFile.LoadInto(model, weightsPath, specPath, console);

        VaeOnnxModels graphs;
        try
        {
            // Built in memory first: a spec the exporter cannot express leaves the folder as it was.
            graphs = VaeOnnx.Export(model, spec.Plan);
        }
        catch (OnnxExportException e)
        {
            throw new ToolException(specPath + ": " + e.Message, e);
        }

        IReadOnlyList<string> paths = graphs.Save(output);
        foreach (string path in paths)
        {
            console.Out.WriteLine(path + ": " + new FileInfo(path).Length.ToString("N0", System.Globalization.CultureInfo.InvariantCulture) + " bytes");
        }

        console.Out.WriteLine($"exported {spec.Name} from {weightsPath} to ONNX opset {VaeOnnx.OpsetVersion} in {output}");
        return ExitCodes.Success;
    }
}
