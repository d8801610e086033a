using System;
using VaeGen.Runtime.Tensors;

namespace VaeGen.Runtime.Models;

/// <summary>
/// Rejects a batch whose shape is not (B, declared per-sample shape) with a message that says how
/// to fix it: the most common mistake is channels-first data given to a channels-last model (or the
/// reverse), which has the right sizes in the wrong order.
/// </summary>
internal static class InputShapeGuard
{
    // Lexicographic, so of two orders that fit a square image the conventional one is suggested.
    private static readonly int[][] Orders =
    {
        new[] { 0, 1, 2 }, new[] { 0, 2, 1 }, new[] { 1, 0, 2 }, new[] { 1, 2, 0 }, new[] { 2, 0, 1 }, new[] { 2, 1, 0 },
    };

    public static void Check(Tensor x, VaeConfig config, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(x, parameterName);
        ReadOnlySpan<int> expected = config.InputShape;
        if (x.Rank == 4 && x.Dim(0) >= 1 && x.Dim(1) == expected[0] && x.Dim(2) == expected[1] && x.Dim(3) == expected[2])
        {
            return;
        }

        throw new ArgumentException(Describe(x.Shape, config), parameterName);
    }

    private static string Describe(ReadOnlySpan<int> actual, VaeConfig config)
    {
        ReadOnlySpan<int> expected = config.InputShape;
        string want = $"(B, {expected[0]}, {expected[1]}, {expected[2]})";
        string dims = config.Layout == InputLayout.Nhwc ? "batch, height, width, channels" : "batch, channels, height, width";
        string message = $"{config.Name} expects a batch shaped {want} ({config.LayoutName}: {dims}), but got {Tensor.FormatShape(actual)}.";
        if (actual.Length == 4 && actual[0] == 0)
        {
            return message + " The batch is empty.";
        }

        if (actual.Length == 4)
        {
            foreach (int[] order in Orders)
            {
                if (actual[1 + order[0]] == expected[0] && actual[1 + order[1]] == expected[1] && actual[1 + order[2]] == expected[2])
                {
                    string other = config.Layout == InputLayout.Nhwc ? "channels-first" : "channels-last";
                    return message + $" The sizes are right but in the wrong order ({other} data?): permute the axes as (0, {1 + order[0]}, {1 + order[1]}, {1 + order[2]}) to get {want}.";
                }
            }
        }

        return actual.Length == 3 ? message + " For a single sample, add the batch dimension: view it as (1, ...)." : message;
    }
}
