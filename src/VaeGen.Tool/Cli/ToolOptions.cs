using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace VaeGen.Tool.Cli;

/// <summary>
/// The options several verbs share, built fresh for each command (a System.CommandLine symbol
/// belongs to one parent), with their ranges checked at parse time so a bad value is a usage error.
/// </summary>
internal static class ToolOptions
{
    public static Argument<string> Spec() => new("spec") { Description = "The model's spec, a *.vae.yaml file." };

    public static Option<string?> Data() => new("--data")
    {
        Description = "A folder of IDX files (Fashion-MNIST's layout) or of PNG images of the spec's size. Default: Fashion-MNIST " +
                      "(/usr/share/datasets/fashion-mnist, else the repository's data/fashion-mnist subset) for 28x28 grayscale specs, " +
                      "the repository's photo patches (data/photos64, cut to size) for RGB specs.",
        HelpName = "folder",
    };

    public static Option<ulong> Seed(string what) => new("--seed")
    {
        Description = what,
        DefaultValueFactory = _ => 0,
        HelpName = "n",
    };

    public static Option<string> Weights() => new("--weights")
    {
        Description = "A safetensors weights file for this spec (e.g. model.safetensors from 'vaegen train'; PyTorch state_dict names).",
        Required = true,
        HelpName = "file",
    };

    public static Option<bool> Json() => new("--json") { Description = "Print the results as one JSON document instead of text." };

    public static Option<int?> Limit(string name, string split) => Positive(new Option<int?>(name)
    {
        Description = "Use only the first N " + split + " images (for quick runs and tests).",
        HelpName = "N",
    });

    public static Option<int> PositiveInt(string name, string description, int defaultValue, string helpName = "n") => Positive(new Option<int>(name)
    {
        Description = description,
        DefaultValueFactory = _ => defaultValue,
        HelpName = helpName,
    });

    public static Option<double> PositiveDouble(string name, string description, double defaultValue, string helpName = "x")
    {
        var option = new Option<double>(name)
        {
            Description = description,
            DefaultValueFactory = _ => defaultValue,
            HelpName = helpName,
        };
        option.Validators.Add(result =>
        {
            double value = result.GetValueOrDefault<double>();
            if (!(value > 0) || double.IsInfinity(value))
            {
                result.AddError(name + " must be a positive number, not " + value.ToString(CultureInfo.InvariantCulture));
            }
        });
        return option;
    }

    /// <summary>True when the user wrote the option, rather than it taking its default (resume keeps saved values unless overridden).</summary>
    public static bool IsGiven(ParseResult parse, Option option) => parse.GetResult(option) is OptionResult { Implicit: false };

    private static Option<T> Positive<T>(Option<T> option)
    {
        option.Validators.Add(result =>
        {
            object? value = result.GetValueOrDefault<T>();
            if (value is int n && n < 1)
            {
                result.AddError(option.Name + " must be at least 1, not " + n.ToString(CultureInfo.InvariantCulture));
            }
        });
        return option;
    }
}
