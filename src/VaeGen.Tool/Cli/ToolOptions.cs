using System;
using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Numerics;
using VaeGen.Tool.Models;

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

    public static Option<ulong> Seed(string what) => Parsed(new Option<ulong>("--seed")
    {
        Description = what,
        DefaultValueFactory = _ => 0,
        HelpName = "n",
    }, ParseSeed);

    public static Option<string> Weights() => new("--weights")
    {
        Description = "A safetensors weights file for this spec (e.g. model.safetensors from 'vaegen train'; PyTorch state_dict names).",
        Required = true,
        HelpName = "file",
    };

    public static Option<bool> Json() => new("--json") { Description = "Print the results as one JSON document instead of text." };

    public static Option<int?> Limit(string name, string split) => Parsed(new Option<int?>(name)
    {
        Description = "Use only the first N " + split + " images (for quick runs and tests).",
        HelpName = "N",
    }, (option, token) => ParseInt(option, token, 1));

    /// <param name="maximum">The largest value allowed: what one output can hold, so that a typo cannot ask for gigabytes.</param>
    public static Option<int> PositiveInt(string name, string description, int defaultValue, string helpName = "n", int maximum = int.MaxValue) => Parsed(new Option<int>(name)
    {
        Description = description,
        DefaultValueFactory = _ => defaultValue,
        HelpName = helpName,
    }, (option, token) => ParseInt(option, token, 1, maximum));

    /// <summary>A whole number of at least 0 (an index).</summary>
    public static Option<int> Index(string name, string description, int defaultValue, string helpName = "i") => Parsed(new Option<int>(name)
    {
        Description = description,
        DefaultValueFactory = _ => defaultValue,
        HelpName = helpName,
    }, (option, token) => ParseInt(option, token, 0));

    /// <summary>A conditional spec's class, 0..K-1 (checked against K once the spec is read); absent by default.</summary>
    public static Option<int?> Class(string description) => Parsed(new Option<int?>("--class")
    {
        Description = description,
        HelpName = "k",
    }, (option, token) =>
    {
        var (value, error) = ParseInt(option, token, 0);
        return (error is null ? value : null, error);
    });

    /// <summary>
    /// Checks a <see cref="Class"/> value against the spec once it is read, in the same words for every command: the spec
    /// must be conditional and the class below its K.
    /// </summary>
    /// <param name="given">The option's value, or null when it was not given (always accepted).</param>
    /// <param name="spec">The spec the command runs.</param>
    /// <param name="command">The command's name, for the advice to run it without the option.</param>
    public static void CheckClass(int? given, SpecFile spec, string command)
    {
        if (given is not int wanted)
        {
            return;
        }

        long classes = spec.Spec.Classes;

        if (classes == 0)
        {
            throw new ToolException("--class: " + spec.Name + " (" + spec.Path + ") is not conditional (its spec has no condition: { classes: K }); " +
                                    command + " it without --class");
        }

        if (wanted >= classes)
        {
            throw new ToolException("--class: class " + wanted + " does not exist; " + spec.Name + " has classes 0.." + (classes - 1));
        }
    }

    public static Option<double> PositiveDouble(string name, string description, double defaultValue, string helpName = "x") => Parsed(new Option<double>(name)
    {
        Description = description,
        DefaultValueFactory = _ => defaultValue,
        HelpName = helpName,
    }, ParsePositiveDouble);

    /// <summary>True when the user wrote the option, rather than it taking its default (resume keeps saved values unless overridden).</summary>
    public static bool IsGiven(ParseResult parse, Option option) => parse.GetResult(option) is OptionResult { Implicit: false };

    /// <summary>
    /// Parses and range-checks the option's value in one place, so a value that is not a number, too
    /// large for its type, or out of range is one parse error (one line, exit 2) and never an exception
    /// from a validator reading a value that failed to convert.
    /// </summary>
    private static Option<T> Parsed<T>(Option<T> option, Func<string, string, (T Value, string? Error)> parse)
    {
        option.CustomParser = result =>
        {
            if (result.Tokens.Count != 1)
            {
                result.AddError(option.Name + " takes one value");
                return default!;
            }

            var (value, error) = parse(option.Name, result.Tokens[0].Value);
            if (error is not null)
            {
                result.AddError(error);
            }

            return value;
        };
        return option;
    }

    private static (int Value, string? Error) ParseInt(string option, string token, int minimum, int maximum = int.MaxValue)
    {
        if (!BigInteger.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out BigInteger value))
        {
            return (0, option + " takes a whole number, not '" + token + "'");
        }

        if (value < minimum)
        {
            return (0, option + " must be at least " + minimum.ToString(CultureInfo.InvariantCulture) + ", not " + token);
        }

        if (value > maximum)
        {
            return (0, option + " must be at most " + maximum.ToString(CultureInfo.InvariantCulture) + ", not " + token);
        }

        return ((int)value, null);
    }

    private static (ulong Value, string? Error) ParseSeed(string option, string token)
    {
        if (!BigInteger.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out BigInteger value))
        {
            return (0, option + " takes a whole number, not '" + token + "'");
        }

        if (value < 0 || value > ulong.MaxValue)
        {
            return (0, option + " must be between 0 and " + ulong.MaxValue.ToString(CultureInfo.InvariantCulture) + ", not " + token);
        }

        return ((ulong)value, null);
    }

    private static (double Value, string? Error) ParsePositiveDouble(string option, string token)
    {
        // Float styles only: "inf", "NaN" and "1,5" are not numbers a user means here.
        if (!double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !double.IsFinite(value))
        {
            return (0, option + " takes a finite number such as 0.001 or 1e-3, not '" + token + "'");
        }

        if (!(value > 0))
        {
            return (0, option + " must be a positive number, not " + token);
        }

        return (value, null);
    }
}
