using System;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using VaeGen.Runtime.Models;
using VaeGen.Tool.Cli;
using VaeGen.Tool.Data;
using VaeGen.Tool.Models;
using VaeGen.Tool.Training;

namespace VaeGen.Tool.Commands;

/// <summary>
/// <c>vaegen eval</c>: the test negative ELBO exactly as <c>train</c> reports it, and the
/// importance-weighted (IWAE) estimate of the negative log-likelihood with k samples per image.
/// </summary>
internal static class EvalCommand
{
    public const string LikelihoodHelp =
        "The IWAE estimate needs a normalised p(x|z); vaegen uses the one the loss implies. bce_logits and bce: Bernoulli, " +
        "log p(x|z) = sum of x log p + (1 - x) log(1 - p) over the values (exactly -recon for reduction sum). mse with reduction sum: " +
        "a Gaussian with variance 1/2 per value, log p(x|z) = -recon - D/2 log(pi); with reduction mean: variance D/2, " +
        "log p(x|z) = -recon - D/2 log(pi D). gaussian (spec 1.1): exactly -recon, with the model's sigma. In nats per image, over the values the model sees (the data divided by the spec's scale).";

    public static Command Create(ToolConsole console)
    {
        var spec = ToolOptions.Spec();
        var weights = ToolOptions.Weights();
        var data = ToolOptions.Data();
        var k = ToolOptions.PositiveInt("--k", "Importance samples per image for the IWAE estimate (cost grows linearly with k). " + LikelihoodHelp, 1000);
        var seed = ToolOptions.Seed("Seeds the evaluation noise; with train's seed, the negative ELBO equals train's report for the same weights.");
        var limitTest = ToolOptions.Limit("--limit-test", "test");
        var json = ToolOptions.Json();
        var command = new Command("eval",
            "Evaluate weights on the test images: the negative ELBO (recon + KL with one z per image, as train reports it; beta and kl shape training only) and the " +
            "importance-weighted (IWAE) bound on the negative log-likelihood with k samples per image.")
        {
            spec, weights, data, k, seed, limitTest, json,
        };
        command.SetAction(parse => Run(console, parse.GetRequiredValue(spec), parse.GetRequiredValue(weights), parse.GetValue(data), parse.GetValue(k),
            parse.GetValue(seed), parse.GetValue(limitTest), parse.GetValue(json)));
        return command;
    }

    private static int Run(ToolConsole console, string specPath, string weightsPath, string? dataPath, int k, ulong seed, int? limitTest, bool json)
    {
        SpecFile spec = SpecFile.Load(specPath, console);
        VaeModel model = SpecModelFactory.Create(spec.Plan, seed);
        WeightsFile.LoadInto(model, weightsPath, specPath, console);
        var geometry = InputGeometry.Of(spec.Spec);
        SpecData data = DataSources.Load(geometry, dataPath, Splits.Test, limitTest: limitTest);
        var test = new BatchFiller(data.RequireTest(), geometry);

        long start = Stopwatch.GetTimestamp();
        LossTerms elbo = Evaluation.NegativeElbo(model, test, seed);
        double elboSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        start = Stopwatch.GetTimestamp();
        double nll = 0;
        if (console.IsTerminal && !json)
        {
            console.Out.Flush();
            console.Ansi.Progress().AutoClear(true)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .Start(context =>
                {
                    ProgressTask task = context.AddTask("IWAE, k = " + k, maxValue: test.Count);
                    nll = Evaluation.ImportanceWeightedNll(model, test, k, seed, done => task.Value = done);
                });
        }
        else
        {
            // Minutes of silence in a log look like a hang: say how far it is on stderr, where the results are not.
            var progress = new ProgressLines(console.Error, "IWAE, k = " + k, test.Count);
            nll = Evaluation.ImportanceWeightedNll(model, test, k, seed, progress.Report);
        }

        double iwaeSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        var likelihood = new Likelihood(model);
        var report = new EvalReport(specPath, spec.Name, weightsPath, data.Description, test.Count, seed, elbo.Total, elbo.Reconstruction, elbo.Kl,
            k, nll, likelihood.Name, likelihood.Constant, elboSeconds, iwaeSeconds);
        if (json)
        {
            console.Out.WriteLine(JsonSerializer.Serialize(report, ToolJson.Readable.EvalReport));
            return ExitCodes.Success;
        }

        console.Out.WriteLine(spec.Name + " (" + specPath + ") with " + weightsPath + " on " + data.Description);
        console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"test negative ELBO  {elbo.Total,10:F4}   = reconstruction {elbo.Reconstruction:F4} + KL {elbo.Kl:F4}  (one z per image; the plain ELBO, whatever beta or kl say)"));
        string constant = likelihood.Constant != 0
            ? string.Create(CultureInfo.InvariantCulture, $" (adds {likelihood.Constant:F4} to the squared error)")
            : string.Empty;
        console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"IWAE NLL, k = {k,-5}{nll,10:F4}   nats per image, {likelihood.Name} p(x|z){constant}{(test.IsConditional ? "; given each image's label: a bound on -log p(x|y)" : string.Empty)}"));
        console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{elboSeconds:F1} s for the ELBO, {iwaeSeconds:F1} s for IWAE"));
        return ExitCodes.Success;
    }
}

/// <summary>The JSON of <c>vaegen eval --json</c>.</summary>
/// <param name="NegElbo">Mean of recon_i + kl_i, one z per image (as train's test_neg_elbo): the plain ELBO.</param>
/// <param name="IwaeNll">The importance-weighted bound on -log p(x) (on -log p(x|y) for a conditional spec, given each image's label), nats per image.</param>
/// <param name="LikelihoodConstant">What -log p(x|z) adds to the reconstruction term (D/2 log(pi) for mse with sum).</param>
internal sealed record EvalReport(string Spec, string Model, string Weights, string Data, int Images, ulong Seed, double NegElbo, double Reconstruction, double Kl,
    int K, double IwaeNll, string Likelihood, double LikelihoodConstant, double ElboSeconds, double IwaeSeconds);
