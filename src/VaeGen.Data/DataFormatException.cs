using System;
using System.IO;

namespace VaeGen.Data;

/// <summary>
/// A data file (IDX, gzip, PNG) is malformed, truncated or in a variant this library does not read.
/// The message starts with the file's path and says what is wrong.
/// </summary>
public sealed class DataFormatException : IOException
{
    /// <summary>Creates the exception.</summary>
    public DataFormatException()
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    public DataFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public DataFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with the message <c>path: problem</c>.</summary>
    /// <param name="path">The file concerned, as the caller named it.</param>
    /// <param name="problem">What is wrong.</param>
    /// <param name="innerException">The cause, if any.</param>
    public DataFormatException(string path, string problem, Exception? innerException)
        : base($"{path}: {problem}", innerException)
    {
        FilePath = path;
    }

    /// <summary>The file concerned, or null when the exception was created from a bare message.</summary>
    public string? FilePath { get; }
}
