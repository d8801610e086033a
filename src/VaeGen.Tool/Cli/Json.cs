using System.IO;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using VaeGen.Tool.Commands;
using VaeGen.Tool.Training;

namespace VaeGen.Tool.Cli;

/// <summary>
/// Every JSON document the tool reads or writes, serialised by the compile-time generator: snake_case
/// names as Python tools expect, and no reflection at run time.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(RunState))]
[JsonSerializable(typeof(TrainingMetrics))]
[JsonSerializable(typeof(CheckReport))]
[JsonSerializable(typeof(EvalReport))]
[JsonSerializable(typeof(BenchReport))]
internal sealed partial class ToolJson : JsonSerializerContext
{
    /// <summary>
    /// The context for what people and scripts read: the default encoder escapes HTML-sensitive
    /// characters, so "conv2d 3->32" would read "conv2d 3-\u003E32"; no output of ours is embedded in HTML.
    /// </summary>
    public static ToolJson Readable => s_readable ??= new(new JsonSerializerOptions(Default.Options) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

    // Made on first use: static initialisers in the generated half of this class may run after ours.
    private static ToolJson? s_readable;

    /// <summary>Writes a document to a file atomically (temporary file, then rename), like every other file the tool writes.</summary>
    public static void WriteFile<T>(string path, T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
    {
        string full = Path.GetFullPath(path);
        string temp = Path.Combine(Path.GetDirectoryName(full) ?? ".", "." + Path.GetFileName(full) + "." + System.Guid.NewGuid().ToString("N") + ".tmp");
        try
        {
            File.WriteAllText(temp, JsonSerializer.Serialize(value, type) + "\n", new UTF8Encoding(false));
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            // The write's own error is the one to report; a leftover temporary file is harmless.
            try
            {
                File.Delete(temp);
            }
            catch (IOException)
            {
            }
            catch (System.UnauthorizedAccessException)
            {
            }

            throw;
        }
    }
}
