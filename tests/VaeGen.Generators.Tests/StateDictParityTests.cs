// Hand-made driver (GeneratorHarness), not the official test framework: the test reads the generated constructor's
// text and compares it with PyTorch's state_dict (a real python3 process), which the framework cannot do.
using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using VaeGen.Generators.Tests.Harness;
using VaeGen.Testing;
using Xunit;

namespace VaeGen.Generators.Tests;

/// <summary>
/// The TorchSharp class generated for a spec registers the same state_dict entries (names, order,
/// shapes) as the PyTorch model tools/torch/spec_model.py builds from the same spec. The TorchSharp
/// side is read off the generated constructor: each factory call's constant arguments give the
/// parameters and buffers TorchSharp registers for that layer. Needs /usr/bin/python3 with PyTorch
/// (Debian's python3-torch and python3-yaml); without it the test is skipped, saying how to install it (CI fails instead).
/// </summary>
public sealed class StateDictParityTests
{
    public static TheoryData<string> Specs()
    {
        var data = new TheoryData<string>();
        foreach (var folder in new[] { "specs", "Specs" })
        {
            foreach (var file in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, folder), "*.vae.yaml").OrderBy(f => f, StringComparer.Ordinal))
            {
                data.Add(folder + "/" + Path.GetFileName(file));
            }
        }

        return data;
    }

    [PyTorchTheory]
    [MemberData(nameof(Specs))]
    public void GeneratedModuleRegistersPyTorchsStateDict(string spec)
    {
        string specPath = Path.Combine(AppContext.BaseDirectory, spec);
        var expected = PyTorchStateDict(specPath);
        var actual = TorchSharpStateDict(File.ReadAllText(specPath), Path.GetFileName(specPath));

        Assert.Equal(expected, actual);
    }

    [Theory]
    [MemberData(nameof(Specs))]
    public void GeneratedClassCompilesAgainstTorchSharpWithoutWarnings(string spec)
    {
        string specPath = Path.Combine(AppContext.BaseDirectory, spec);
        var (harness, result) = RunGenerator(File.ReadAllText(specPath), Path.GetFileName(specPath));

        // Warnings too: generated code must build in projects with TreatWarningsAsErrors (tests/VaeGen.TorchSharp.Tests is one).
        var problems = result.Diagnostics.Concat(harness.Output.GetDiagnostics()).Where(d => d.Severity >= DiagnosticSeverity.Warning).Select(GeneratorHarness.Format).ToList();
        Assert.True(problems.Count == 0, "The generated TorchSharp class does not compile cleanly against the real TorchSharp:" + Environment.NewLine + string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public void ParitySpecCoversTheLayersThatCarryState()
    {
        var entries = TorchSharpStateDict(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Specs", "parity_layers.vae.yaml")), "parity_layers.vae.yaml");

        Assert.Contains("encoder.2.num_batches_tracked []", entries);   // BatchNorm2d
        Assert.Contains("encoder.9.running_var [32]", entries);         // BatchNorm1d in the encoder
        Assert.Contains("decoder.2.running_mean [45]", entries);        // BatchNorm1d in the decoder
        Assert.Contains("decoder.5.weight [5, 4, 3, 5]", entries);      // ConvTranspose2d: [in, out, kh, kw]
        Assert.DoesNotContain("encoder.0.bias [8]", entries);           // conv2d with bias: false
        Assert.DoesNotContain("decoder.5.bias [4]", entries);           // conv_transpose2d with bias: false
        Assert.DoesNotContain("decoder.0.bias [45]", entries);          // linear with bias: false
    }

    /// <summary>The generator run on one spec, with the TorchSharp backend and TorchSharp among the references.</summary>
    private static (GeneratorHarness Harness, GeneratorRunResult Result) RunGenerator(string specText, string fileName)
    {
        var harness = new GeneratorHarness(
            new[] { new InMemoryAdditionalText("/repo/specs/" + fileName, specText) },
            new Dictionary<string, string> { ["build_property.RootNamespace"] = "Consumer", ["build_property.VaeGenBackend"] = "torchsharp" });
        if (!harness.Compilation.ReferencedAssemblyNames.Any(a => a.Name == "TorchSharp"))
        {
            harness.WithTorchSharp();
        }

        return (harness, harness.Run());
    }

    /// <summary>Runs the generator and reads the state_dict off the generated constructor (syntax only; compiling is the other test's job).</summary>
    private static List<string> TorchSharpStateDict(string specText, string fileName)
    {
        var (_, result) = RunGenerator(specText, fileName);
        Assert.Empty(result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(GeneratorHarness.Format));

        var trees = result.GeneratedSources.Select(s => CSharpSyntaxTree.ParseText(s.SourceText, GeneratorHarness.ParseOptions, path: s.HintName)).ToList();
        var syntaxErrors = trees.SelectMany(t => t.GetDiagnostics()).Where(d => d.Severity == DiagnosticSeverity.Error).Select(GeneratorHarness.Format).Take(5).ToList();
        Assert.True(syntaxErrors.Count == 0, "Cannot read the state_dict: the generated source does not parse:" + Environment.NewLine + string.Join(Environment.NewLine, syntaxErrors));

        // The model's own constructor; a nested Residual class registers its "body" in its own.
        var constructor = trees
            .SelectMany(tree => tree.GetRoot().DescendantNodes().OfType<ConstructorDeclarationSyntax>())
            .Single(c => c.Parent is ClassDeclarationSyntax { Parent: not ClassDeclarationSyntax } && c.Body is not null && c.Body.DescendantNodes().OfType<InvocationExpressionSyntax>().Any(i => MethodName(i) == "register_module"));

        var fieldValues = new Dictionary<string, InvocationExpressionSyntax>(StringComparer.Ordinal);
        foreach (var assignment in constructor.Body!.DescendantNodes().OfType<AssignmentExpressionSyntax>())
        {
            if (assignment.Right is InvocationExpressionSyntax call)
            {
                fieldValues[FieldName(assignment.Left)] = call;
            }
        }

        var entries = new List<string>();
        foreach (var register in constructor.Body.DescendantNodes().OfType<InvocationExpressionSyntax>().Where(i => MethodName(i) is "register_module" or "register_parameter"))
        {
            var args = register.ArgumentList.Arguments;
            string name = (string)((LiteralExpressionSyntax)args[0].Expression).Token.Value!;
            var factory = fieldValues[FieldName(args[1].Expression)];
            if (MethodName(register) == "register_parameter")
            {
                // The module's own parameter (spec 1.1's log_sigma): nn.Parameter(torch.zeros(shape...)).
                var zeros = (InvocationExpressionSyntax)factory.ArgumentList.Arguments[0].Expression;
                entries.Add(name + " [" + string.Join(", ", zeros.ArgumentList.Arguments.Select(a => a.ToString())) + "]");
                continue;
            }

            if (MethodName(factory) == "Sequential")
            {
                AddSequential(entries, name, factory);
            }
            else
            {
                AddLayer(entries, name, factory);
            }
        }

        return entries;
    }

    /// <summary>
    /// The entries of a Sequential's items, named by position; a residual block (<c>new Residual(nn.Sequential(...))</c>,
    /// the generated nested module that registers its argument as "body") adds its body's under <c>{i}.body</c>.
    /// </summary>
    private static void AddSequential(List<string> entries, string prefix, InvocationExpressionSyntax sequential)
    {
        var items = sequential.ArgumentList.Arguments;
        for (int i = 0; i < items.Count; i++)
        {
            string name = prefix + "." + i.ToString(CultureInfo.InvariantCulture);
            if (items[i].Expression is ObjectCreationExpressionSyntax { Type: IdentifierNameSyntax { Identifier.Text: "Residual" or "ResidualBlock" } } residual)
            {
                AddSequential(entries, name + ".body", (InvocationExpressionSyntax)residual.ArgumentList!.Arguments.Single().Expression);
            }
            else
            {
                AddLayer(entries, name, (InvocationExpressionSyntax)items[i].Expression);
            }
        }
    }

    /// <summary>The parameters, then the buffers, that TorchSharp registers for one factory call (PyTorch's names and order).</summary>
    private static void AddLayer(List<string> entries, string prefix, InvocationExpressionSyntax factory)
    {
        string kind = MethodName(factory);

        // Spec 1.1's init helpers (InitXavierUniform(nn.Linear(...))) redraw and return the module they are given.
        if (kind.StartsWith("Init", StringComparison.Ordinal) && factory.ArgumentList.Arguments.Count == 1 && factory.ArgumentList.Arguments[0].Expression is InvocationExpressionSyntax module)
        {
            AddLayer(entries, prefix, module);
            return;
        }

        void Add(string name, params long[] shape) => entries.Add(prefix + "." + name + " [" + string.Join(", ", shape) + "]");

        switch (kind)
        {
            case "Conv2d":
            case "ConvTranspose2d":
            {
                bool transposed = kind == "ConvTranspose2d";
                var args = Bind(factory, transposed
                    ? new[] { "in_channels", "out_channels", "kernel_size", "stride", "padding", "output_padding", "dilation", "padding_mode", "groups", "bias" }
                    : new[] { "in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation", "padding_mode", "groups", "bias" });
                long inChannels = (long)args["in_channels"], outChannels = (long)args["out_channels"];
                long groups = args.TryGetValue("groups", out var g) ? (long)g : 1;
                var kernel = Pair(args["kernel_size"]);
                Add("weight", transposed ? inChannels : outChannels, (transposed ? outChannels : inChannels) / groups, kernel[0], kernel[1]);
                if (!args.TryGetValue("bias", out var bias) || (bool)bias)
                {
                    Add("bias", outChannels);
                }

                break;
            }

            case "Linear":
            {
                var args = Bind(factory, new[] { "inputSize", "outputSize", "hasBias" });
                Add("weight", (long)args["outputSize"], (long)args["inputSize"]);
                if (!args.TryGetValue("hasBias", out var bias) || (bool)bias)
                {
                    Add("bias", (long)args["outputSize"]);
                }

                break;
            }

            case "BatchNorm1d":
            case "BatchNorm2d":
            {
                var args = Bind(factory, new[] { "num_features", "eps", "momentum", "affine", "track_running_stats" });
                long n = (long)args["num_features"];
                if (!args.TryGetValue("affine", out var affine) || (bool)affine)
                {
                    Add("weight", n);
                    Add("bias", n);
                }

                if (!args.TryGetValue("track_running_stats", out var track) || (bool)track)
                {
                    Add("running_mean", n);
                    Add("running_var", n);
                    Add("num_batches_tracked");
                }

                break;
            }

            case "MaxPool2d":
            case "AvgPool2d":
            case "Upsample":
            case "Dropout":
            case "Flatten":
            case "Unflatten":
            case "ReLU":
            case "Sigmoid":
            case "Tanh":
            case "GELU":
            case "SiLU":
            case "ELU":
            case "LeakyReLU":
            case "ZeroPad2d":
                break; // ParameterLessModule: nothing registered, but the entry still takes an index

            default:
                throw new InvalidOperationException("The parity test does not know the TorchSharp factory " + kind + " (" + factory + ")");
        }
    }

    /// <summary>Positional and named arguments by parameter name, each evaluated as a constant.</summary>
    private static Dictionary<string, object> Bind(InvocationExpressionSyntax call, string[] positional)
    {
        var bound = new Dictionary<string, object>(StringComparer.Ordinal);
        var args = call.ArgumentList.Arguments;
        for (int i = 0; i < args.Count; i++)
        {
            string name = args[i].NameColon?.Name.Identifier.Text ?? positional[i];
            bound[name] = Constant(args[i].Expression);
        }

        return bound;
    }

    /// <summary>Integers become long, tuples and arrays long[] (or double[]), enum members their name.</summary>
    private static object Constant(ExpressionSyntax expression) => expression switch
    {
        LiteralExpressionSyntax literal => literal.Token.Value switch
        {
            int i => (long)i,
            long l => l,
            double d => d,
            bool b => b,
            null => "null",
            var other => throw new InvalidOperationException("Unexpected literal " + other),
        },
        PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.UnaryMinusExpression } minus => Constant(minus.Operand) switch
        {
            long l => -l,
            double d => -d,
            var other => throw new InvalidOperationException("Cannot negate " + other),
        },
        ParenthesizedExpressionSyntax parenthesized => Constant(parenthesized.Expression),
        CastExpressionSyntax cast => Constant(cast.Expression),
        TupleExpressionSyntax tuple => Numbers(tuple.Arguments.Select(a => a.Expression)),
        ArrayCreationExpressionSyntax array => Numbers(array.Initializer!.Expressions),
        ImplicitArrayCreationExpressionSyntax array => Numbers(array.Initializer.Expressions),
        MemberAccessExpressionSyntax member => member.Name.Identifier.Text,
        _ => throw new InvalidOperationException("Not a constant the parity test can evaluate: " + expression),
    };

    private static object Numbers(IEnumerable<ExpressionSyntax> items)
    {
        var values = items.Select(Constant).ToArray();
        return values.All(v => v is long) ? values.Cast<long>().ToArray() : values.Select(v => Convert.ToDouble(v, CultureInfo.InvariantCulture)).ToArray();
    }

    private static long[] Pair(object size) => size switch
    {
        long l => new[] { l, l },
        long[] { Length: 2 } pair => pair,
        _ => throw new InvalidOperationException("Not a size: " + size),
    };

    private static string MethodName(InvocationExpressionSyntax call) => call.Expression switch
    {
        MemberAccessExpressionSyntax member => member.Name.Identifier.Text,
        IdentifierNameSyntax identifier => identifier.Identifier.Text,
        GenericNameSyntax generic => generic.Identifier.Text,
        _ => string.Empty,
    };

    private static string FieldName(ExpressionSyntax target) => target switch
    {
        IdentifierNameSyntax identifier => identifier.Identifier.Text,
        MemberAccessExpressionSyntax { Expression: ThisExpressionSyntax } member => member.Name.Identifier.Text,
        _ => throw new InvalidOperationException("Not a field: " + target),
    };

    /// <summary>Runs tools/torch/spec_model.py on the spec and returns its state_dict listing.</summary>
    private static List<string> PyTorchStateDict(string specPath)
    {
        using var json = JsonDocument.Parse(PyTorch.Run("spec_model.py", specPath));
        return json.RootElement.EnumerateArray()
            .Select(e => e.GetProperty("name").GetString() + " [" + string.Join(", ", e.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64())) + "]")
            .ToList();
    }
}
