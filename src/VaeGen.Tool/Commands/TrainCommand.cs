using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Globalization;
using System.IO;
using System.Threading;
using Spectre.Console;
using VaeGen.Data;
using VaeGen.Runtime.Init;
using VaeGen.Runtime.Models;
using VaeGen.Runtime.Tensors;
using VaeGen.Tool.Cli;
using VaeGen.Tool.Data;
using VaeGen.Tool.Models;
using VaeGen.Tool.Rendering;
using VaeGen.Tool.Training;

namespace VaeGen.Tool.Commands;

/// <summary>
/// <c>vaegen train</c>: Adam on the training images, a test-set negative ELBO after every epoch,
/// reconstruction and sample grids, a checkpoint per epoch (atomic; <c>--resume</c> continues
/// bit-exactly) and a loss plot at the end.
/// </summary>
internal static class TrainCommand
{
    private const int ReconstructionCount = 8;
    private const int SampleCount = 64;
    private const int ClassGridColumns = 8;
    private const int DefaultBatch = 128;
    private const int MinimumStepsPerEpoch = 16;
    private const int DefaultEpochs = 10;
    private const int MinimumDefaultSteps = 1000;

    public static Command Create(ToolConsole console)
    {
        var spec = ToolOptions.Spec();
        var data = ToolOptions.Data();
        var epochs = ToolOptions.PositiveInt("--epochs", "Train until this many epochs are done in total (a resumed run continues up to it). Default: " + DefaultEpochs +
                                                          ", or on a small data set as many as " + MinimumDefaultSteps.ToString("N0", CultureInfo.InvariantCulture) +
                                                          " Adam steps take (59 for the 243 shipped photo patches).", DefaultEpochs);
        var batch = ToolOptions.PositiveInt("--batch", "Images per step. Default: " + DefaultBatch + ", or fewer on a small data set, so that an epoch has at least " +
                                                        MinimumStepsPerEpoch + " steps (the 243 shipped photo patches get 15).", DefaultBatch);
        var lr = ToolOptions.PositiveDouble("--lr", "Adam's learning rate (betas 0.9, 0.999, eps 1e-8, no weight decay).", 1e-3);
        var seed = ToolOptions.Seed("Seeds the initial weights, the noise, the shuffling and the evaluation noise: the same seed gives the same run.");
        var output = new Option<string?>("--out") { Description = "The output folder (default: runs/<spec name>).", HelpName = "folder" };
        var resume = new Option<bool>("--resume")
        {
            Description = "Continue the run in the output folder from its last checkpoint, exactly as if it had not stopped. " +
                          "Its seed, batch, learning rate and data are kept unless given again.",
        };
        var overwrite = new Option<bool>("--overwrite")
        {
            Description = "Start a new run in an output folder that already holds one (or a model.safetensors), replacing its files.",
        };
        var limitTrain = ToolOptions.Limit("--limit-train", "training");
        var limitTest = ToolOptions.Limit("--limit-test", "test");
        var command = new Command("train",
            "Train a spec's model: a progress bar per epoch, the test negative ELBO after each, PNG grids of reconstructions and samples, " +
            "checkpoints (model.safetensors with PyTorch state_dict names, training.safetensors with the optimizer and random streams) and loss.png at the end.")
        {
            spec, data, epochs, batch, lr, seed, output, resume, overwrite, limitTrain, limitTest,
        };
        command.Validators.Add(result =>
        {
            if (result.GetValue(resume) && result.GetValue(overwrite))
            {
                result.AddError("--resume continues the run in the output folder and --overwrite replaces it; give one of them");
            }
        });
        command.SetAction(parse =>
        {
            var given = new RunSettings(parse.GetValue(seed), parse.GetValue(batch), parse.GetValue(lr),
                parse.GetValue(data) is { } folder ? Path.GetFullPath(folder) : null, parse.GetValue(limitTrain), parse.GetValue(limitTest));
            var explicitly = new HashSet<string>();
            foreach (Option option in new Option[] { seed, batch, lr, data, limitTrain, limitTest, epochs })
            {
                if (ToolOptions.IsGiven(parse, option))
                {
                    explicitly.Add(option.Name);
                }
            }

            return Run(console, parse.GetRequiredValue(spec), given, explicitly, parse.GetValue(epochs), parse.GetValue(output),
                parse.GetValue(resume), parse.GetValue(overwrite));
        });
        return command;
    }

    private static int Run(ToolConsole console, string specPath, RunSettings given, HashSet<string> explicitly, int epochs, string? output, bool resume, bool overwrite)
    {
        SpecFile spec = SpecFile.Load(specPath, console);
        string outDir = output ?? Path.Combine("runs", spec.Stem);
        OutputPaths.PrepareFolder(outDir);
        int leftovers = RunFolder.DeleteLeftovers(outDir);
        if (leftovers > 0)
        {
            console.Note(outDir + ": removed " + SpecFile.Plural(leftovers, "temporary file") + " an interrupted run left behind");
        }

        RunState? saved = overwrite ? null : TrainingCheckpoint.ReadState(outDir);
        string checkpointPath = TrainingCheckpoint.PathIn(outDir);
        if (saved is not null && !resume && !overwrite)
        {
            throw new ToolException(outDir + ": already holds a training run of " + saved.Model + " (" + SpecFile.Plural(saved.Epoch, "epoch") +
                                    "); pass --resume to continue it, --overwrite to replace it, or choose another --out");
        }

        string weightsPath = TrainingCheckpoint.WeightsPathIn(outDir);
        if (saved is null && !resume && !overwrite && File.Exists(weightsPath))
        {
            // Weights without a training state: copied there, or from another tool. They may be all the user has.
            throw new ToolException(weightsPath + ": already exists (weights with no training state beside them to resume); " +
                                    "pass --overwrite to replace them, or choose another --out");
        }

        if (saved is null && resume)
        {
            throw new ToolException(checkpointPath + ": no checkpoint to resume from (train without --resume first)");
        }

        if (saved is not null && saved.Model != spec.Name)
        {
            throw new ToolException(checkpointPath + ": the checkpoint is of " + saved.Model + ", but " + specPath + " describes " + spec.Name);
        }

        RunSettings settings = saved is null ? given : Merge(console, saved.Settings, given, explicitly);
        var geometry = InputGeometry.Of(spec.Spec);
        SpecData data = DataSources.Load(geometry, settings.Data, Splits.Both, settings.LimitTrain, settings.LimitTest);
        var train = new BatchFiller(data.RequireTrain(), geometry);
        if (saved is null && !explicitly.Contains("--batch") && train.Count / MinimumStepsPerEpoch < settings.Batch)
        {
            // 243 images in batches of 128 are 2 Adam steps an epoch: 10 epochs learn nothing visible.
            int small = Math.Max(1, train.Count / MinimumStepsPerEpoch);
            console.Note("batch " + small + ": the default " + DefaultBatch + " would give " + SpecFile.Plural((train.Count + DefaultBatch - 1) / DefaultBatch, "step") +
                         " an epoch on " + SpecFile.Plural(train.Count, "training image") + " (--batch sets it)");
            settings = settings with { Batch = small };
        }

        if (!explicitly.Contains("--epochs") && IsSmall(train.Count))
        {
            // A few hundred images make an epoch of a few steps: 10 epochs end before the model
            // learns more than the mean colour. The epochs follow the steps instead (the same count
            // on a resume, which sees the same data and batch).
            int stepsPerEpoch = (train.Count + settings.Batch - 1) / settings.Batch;
            int forSteps = (MinimumDefaultSteps + stepsPerEpoch - 1) / stepsPerEpoch;
            if (forSteps > epochs)
            {
                console.Note("epochs " + forSteps + ": on " + SpecFile.Plural(train.Count, "training image") + " an epoch is " + SpecFile.Plural(stepsPerEpoch, "step") +
                             ", and a small data set trains for at least " + MinimumDefaultSteps.ToString("N0", CultureInfo.InvariantCulture) + " steps (--epochs sets it)");
                epochs = forSteps;
            }
        }

        var test = new BatchFiller(data.RequireTest(), geometry);

        VaeModel model = SpecModelFactory.Create(spec.Plan, settings.Seed);
        model.UseAdam(settings.LearningRate);
        var shuffler = new Shuffler(train.Count, settings.Seed);
        List<EpochResult> history = saved?.History ?? new List<EpochResult>();
        int start = saved?.Epoch ?? 0;
        if (saved is not null)
        {
            TrainingCheckpoint.Load(outDir, model, shuffler.Rng, specPath);
            model.Optimizer.LearningRate = settings.LearningRate;
        }

        using var signals = new StopSignals();
        var run = new TrainingRun(spec, model, train, test, shuffler, settings, history, outDir, data.Description, signals.Token);
        console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{(saved is null ? "training" : "resuming")} {spec.Name} ({LayerTable.Count(spec.Plan.TotalParameters)} parameters) on {data.Description}"));
        if (saved is not null)
        {
            run.Repair(console);
        }

        if (start >= epochs)
        {
            console.Out.WriteLine("already trained for " + SpecFile.Plural(start, "epoch") + "; pass a larger --epochs to continue");
            return ExitCodes.Success;
        }

        console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"batch {settings.Batch}, Adam lr {settings.LearningRate:G}, seed {settings.Seed}, epochs {start + 1}..{epochs}, output in {outDir}"));

        if (overwrite)
        {
            // Only now, with the spec and the data known good: a failed start leaves the old run alone.
            TrainingCheckpoint.DeleteRun(outDir);
        }

        try
        {
            if (console.IsTerminal)
            {
                console.Out.Flush();
                console.Ansi.Progress()
                    .AutoClear(false)
                    .HideCompleted(false)
                    .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                    .Start(context => run.Epochs(start, epochs, new LiveTrainingDisplay(context)));
            }
            else
            {
                run.Epochs(start, epochs, new PlainTrainingDisplay(console));
            }
        }
        catch (TrainingDivergedException e)
        {
            string kept = history.Count > 0
                ? "the last good checkpoint, epoch " + history[^1].Epoch + ", is kept in " + outDir
                : "no checkpoint was written, as no epoch finished";
            throw new ToolException(specPath + ": training stopped: " + e.Message + "; " + kept, e, ExitCodes.TrainingDiverged);
        }
        catch (OperationCanceledException) when (signals.Received is { } signal)
        {
            console.Out.Flush();
            string stands = history.Count > 0
                ? "the run stands at epoch " + history[^1].Epoch + " (its checkpoint in " + outDir + "); continue it with: vaegen train " + specPath +
                  " --resume --epochs " + epochs + " --out " + outDir
                : "no epoch finished, so there is nothing to resume; start again with the same command";
            console.Error.WriteLine("vaegen: stopped by " + signal + " during epoch " + (history.Count + 1) + ", which is abandoned; " + stands);
            return signals.ExitCode;
        }

        console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"final test negative ELBO {history[^1].TestNegElbo:F4} after {SpecFile.Plural(history[^1].Epoch, "epoch")}"));
        console.Out.WriteLine("weights: " + TrainingCheckpoint.WeightsPathIn(outDir) + " (PyTorch state_dict names); resume state: " + checkpointPath +
                              "; loss curves: " + run.PlotPath);
        return ExitCodes.Success;
    }

    /// <summary>The saved settings, with each option the user gave again taking its place (and saying so, as it changes the run).</summary>
    private static RunSettings Merge(ToolConsole console, RunSettings saved, RunSettings given, HashSet<string> explicitly)
    {
        RunSettings merged = saved;
        void Take(string option, object? savedValue, object? givenValue, Func<RunSettings, RunSettings> apply)
        {
            if (explicitly.Contains(option) && !Equals(savedValue, givenValue))
            {
                console.Note(option + " " + Show(givenValue) + " replaces the run's " + Show(savedValue) + "; the resumed run differs from an uninterrupted one");
                merged = apply(merged);
            }
        }

        Take("--seed", saved.Seed, given.Seed, s => s with { Seed = given.Seed });
        Take("--batch", saved.Batch, given.Batch, s => s with { Batch = given.Batch });
        Take("--lr", saved.LearningRate, given.LearningRate, s => s with { LearningRate = given.LearningRate });
        Take("--data", saved.Data, given.Data, s => s with { Data = given.Data });
        Take("--limit-train", saved.LimitTrain, given.LimitTrain, s => s with { LimitTrain = given.LimitTrain });
        Take("--limit-test", saved.LimitTest, given.LimitTest, s => s with { LimitTest = given.LimitTest });
        return merged;
    }

    private static string Show(object? value) => value switch
    {
        null => "(default)",
        double d => d.ToString("G", CultureInfo.InvariantCulture),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty,
    };

    /// <summary>Whether the default batch would give an epoch fewer than <see cref="MinimumStepsPerEpoch"/> steps.</summary>
    private static bool IsSmall(int trainingImages) => trainingImages / MinimumStepsPerEpoch < DefaultBatch;

    /// <summary>The state of one training run between epochs.</summary>
    private sealed class TrainingRun(SpecFile spec, VaeModel model, BatchFiller train, BatchFiller test, Shuffler shuffler, RunSettings settings,
        List<EpochResult> history, string outDir, string dataDescription, CancellationToken stop)
    {
        // The sample grids decode the same z every epoch, from a stream of their own, so the epochs can be compared.
        private readonly Tensor _sampleZ = FixedLatents(model.Config.LatentDim, settings.Seed);
        private readonly (float Min, float Max) _range = Grids.DisplayRange(model, spec.Spec.Input.RangeMin, spec.Spec.Input.RangeMax);

        public string PlotPath => Path.Combine(outDir, "loss.png");

        public void Epochs(int start, int epochs, ITrainingDisplay display)
        {
            var trainer = new Trainer(model, train, shuffler, settings.Batch, stop);
            for (int epoch = start + 1; epoch <= epochs; epoch++)
            {
                stop.ThrowIfCancellationRequested();
                EpochStats stats = trainer.RunEpoch(epoch, epochs, display);
                LossTerms testTerms = Evaluation.NegativeElbo(model, test, settings.Seed);

                // Before the commit: grids of an epoch that never commits are made again, identically, when it is trained again.
                SaveGrids(epoch);
                var result = new EpochResult(epoch, stats.Loss, stats.Reconstruction, stats.Kl, testTerms.Total, testTerms.Reconstruction, testTerms.Kl,
                    stats.Seconds, stats.SamplesPerSecond, stats.Curve);
                history.Add(result);

                // The commit point: from here on the run is at this epoch, whatever happens to the writes below.
                TrainingCheckpoint.Save(outDir, model, shuffler.Rng, new RunState(spec.Name, epoch, settings, history));
                WriteDerived(epoch);
                display.Complete(result, epochs);
            }
        }

        /// <summary>
        /// After a resume has loaded the checkpoint: rewrites what is derived from it (a kill between the
        /// commit and these leaves them a step behind, or missing), makes the last epoch's grids if they
        /// are gone, and removes the grids of an epoch that was cut off before its commit.
        /// </summary>
        public void Repair(ToolConsole console)
        {
            int epoch = history.Count;
            string weights = TrainingCheckpoint.WeightsPathIn(outDir);
            int? weightsEpoch = TrainingCheckpoint.WeightsEpoch(weights);
            if (weightsEpoch != epoch)
            {
                console.Note(weights + (weightsEpoch is { } stale ? " was from epoch " + stale : " was missing") +
                             "; rewritten from the checkpoint (epoch " + epoch + ")");
            }

            foreach (string grid in Directory.GetFiles(outDir, "*-epoch-*.png"))
            {
                if (GridEpoch(grid) is { } later && later > epoch)
                {
                    File.Delete(grid);
                    console.Note(grid + ": removed; epoch " + later + " was interrupted before its checkpoint and is trained again");
                }
            }

            if (!File.Exists(GridPath("reconstructions", epoch)) || !File.Exists(GridPath("samples", epoch)))
            {
                SaveGrids(epoch);
            }

            WriteDerived(epoch);
        }

        private void WriteDerived(int epoch)
        {
            TrainingCheckpoint.SaveWeights(outDir, model, epoch);
            RunFolder.Write(Path.Combine(outDir, "metrics.json"), temp => ToolJson.WriteFile(temp,
                new TrainingMetrics(spec.Path, spec.Name, dataDescription, spec.Plan.TotalParameters, settings, history), ToolJson.Readable.TrainingMetrics));
            string title = string.Create(CultureInfo.InvariantCulture, $"{spec.Name}: {train.Count:N0} training images, batch {settings.Batch}, Adam lr {settings.LearningRate:G}");
            byte[] plot = LossPlot.Render(title, history);
            RunFolder.Write(PlotPath, temp => File.WriteAllBytes(temp, plot));
        }

        private void SaveGrids(int epoch)
        {
            RunFolder.Write(GridPath("reconstructions", epoch),
                temp => Grids.Save(temp, Grids.Reconstructions(model, test, ReconstructionCount), model, _range, ReconstructionCount,
                    ["test images", "reconstructions"]));
            if (model.Config.Classes > 0)
            {
                // One row per class, the same z in each column: what the label controls, and what z does.
                RunFolder.Write(GridPath("samples", epoch), temp => Grids.Save(temp, Grids.PerClass(model, _sampleZ, ClassGridColumns), model, _range,
                    ClassGridColumns, Grids.ClassRowLabels(model.Config.Classes)));
            }
            else
            {
                RunFolder.Write(GridPath("samples", epoch), temp => Grids.Save(temp, Grids.Decode(model, _sampleZ), model, _range));
            }
        }

        private string GridPath(string kind, int epoch) => Path.Combine(outDir, kind + "-epoch-" + epoch.ToString("D3", CultureInfo.InvariantCulture) + ".png");

        private static int? GridEpoch(string path)
        {
            string name = Path.GetFileNameWithoutExtension(path);
            return int.TryParse(name[(name.LastIndexOf('-') + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out int epoch) ? epoch : null;
        }

        private static Tensor FixedLatents(int latent, ulong seed)
        {
            var z = new Tensor(SampleCount, latent);
            new Rng(unchecked(seed + 2)).FillNormal(z.Span);
            return z;
        }
    }
}
