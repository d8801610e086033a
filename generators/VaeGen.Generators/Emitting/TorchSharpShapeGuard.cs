using System.Linq;
using VaeGen.Generators.Pipeline;
using VaeGen.Spec.Model;
using static VaeGen.Generators.Emitting.TorchSharpNames;

namespace VaeGen.Generators.Emitting
{
    /// <summary>
    /// The runtime check at the model's entry: a wrong input shape fails with an ArgumentException
    /// naming both shapes (and the permute call, when the sizes are right but their order is not),
    /// instead of an ExternalException from deep inside libtorch.
    /// </summary>
    internal static class TorchSharpShapeGuard
    {
        public static void Write(SourceWriter w, EmitModel model)
        {
            var spec = model.Plan!.Spec;
            var shape = spec.Input.Shape;
            string expected = TorchSharpEmitter.BatchShape(spec);
            string layout = spec.Input.Layout == InputLayout.Nhwc ? "nhwc: batch, height, width, channels" : "nchw: batch, channels, height, width";

            w.Line("private static void CheckInput(" + Tensor + " x, string parameterName)");
            w.Open();
            w.Line("long[] actual = x.shape;");
            w.Line("if (actual.Length != 4 || actual[1] != " + shape[0] + " || actual[2] != " + shape[1] + " || actual[3] != " + shape[2] + ")");
            w.Open();
            w.Line("throw new global::System.ArgumentException(DescribeBadInput(actual), parameterName);");
            w.Close();
            w.Close();
            w.Line();

            w.Doc("<summary>Why <paramref name=\"actual\"/> is not a valid input shape, and how to fix it.</summary>");
            w.Line("private static string DescribeBadInput(long[] actual)");
            w.Open();
            w.Line("string message = " + Literals.String(model.ClassName + " expects a batch shaped " + expected + " (" + layout + "), but got (") +
                   " + string.Join(\", \", actual) + \").\";");
            w.Line("if (actual.Length == 4 && FindPermutation(actual) is { } order)");
            w.Open();
            w.Line("return message + \" The sizes are right but in the wrong order" + (spec.Input.Layout == InputLayout.Nhwc ? " (channels-first data?)" : " (channels-last data?)") +
                   ": x.permute(\" + string.Join(\", \", order) + \") gives " + expected + ".\";");
            w.Close();
            w.Line();
            w.Line("return actual.Length == 3 ? message + \" For a single sample, add the batch dimension: x.unsqueeze(0).\" : message;");
            w.Close();
            w.Line();

            w.Doc("<summary>The permute order that turns <paramref name=\"actual\"/> into the expected shape, or null.</summary>");
            w.Line("private static long[]? FindPermutation(long[] actual)");
            w.Open();
            w.Line("long[] expected = " + Literals.LongArray(shape) + ";");
            w.Line("// Tried in lexicographic order, so of two orders that fit a square image the conventional one wins.");
            w.Line("int[][] orders = { new[] { 0, 1, 2 }, new[] { 0, 2, 1 }, new[] { 1, 0, 2 }, new[] { 1, 2, 0 }, new[] { 2, 0, 1 }, new[] { 2, 1, 0 } };");
            w.Line("foreach (var order in orders)");
            w.Open();
            w.Line("if (actual[1 + order[0]] == expected[0] && actual[1 + order[1]] == expected[1] && actual[1 + order[2]] == expected[2])");
            w.Open();
            w.Line("return new long[] { 0, 1 + order[0], 1 + order[1], 1 + order[2] };");
            w.Close();
            w.Close();
            w.Line();
            w.Line("return null;");
            w.Close();
        }
    }
}
