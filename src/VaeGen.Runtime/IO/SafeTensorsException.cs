using System;

namespace VaeGen.Runtime.IO;

/// <summary>A safetensors file is malformed or does not match what it is loaded into.</summary>
public sealed class SafeTensorsException : Exception
{
    /// <summary>Creates the exception.</summary>
    public SafeTensorsException()
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    public SafeTensorsException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public SafeTensorsException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception naming the file and, if any, the tensor.</summary>
    /// <param name="path">The file.</param>
    /// <param name="tensorName">The tensor, or null when the problem is file-wide.</param>
    /// <param name="problem">What is wrong.</param>
    /// <param name="innerException">The cause, if any.</param>
    public SafeTensorsException(string path, string? tensorName, string problem, Exception? innerException = null)
        : base(Format(path, tensorName, problem), innerException)
    {
        FilePath = path;
        TensorName = tensorName;
    }

    /// <summary>The file concerned.</summary>
    public string? FilePath { get; }

    /// <summary>The tensor concerned, or null.</summary>
    public string? TensorName { get; }

    private static string Format(string path, string? tensorName, string problem) =>
        tensorName is null ? $"{path}: {problem}" : $"{path}: tensor '{tensorName}': {problem}";
}
