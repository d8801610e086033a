using System.Reflection;

namespace VaeGen.Generators
{
    /// <summary>Name and version written into [GeneratedCode] attributes.</summary>
    internal static class GeneratorInfo
    {
        public const string Name = "VaeGen";

        public static string Version { get; } =
            typeof(GeneratorInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion?.Split('+')[0]
            ?? typeof(GeneratorInfo).Assembly.GetName().Version?.ToString()
            ?? "0.0.0";
    }
}
