using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;

namespace VaeGen.Editor.Tests;

/// <summary>
/// A small Language Server Protocol client over a real server process's stdin/stdout: JSON-RPC 2.0
/// with Content-Length framing, requests with ids, notifications kept for the test to wait on, and
/// answers to the server's own requests (workspace/configuration, client/registerCapability, ...).
/// </summary>
internal sealed class LspClient : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Stream _input;
    private readonly ConcurrentDictionary<int, TaskCompletionSource<JsonNode?>> _pending = new();
    private readonly List<(string Method, JsonNode? Params)> _notifications = new();
    private readonly StringBuilder _stderr = new();
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly Func<string, JsonNode?, JsonNode?> _answerServerRequest;
    private readonly Task _reader;
    private int _nextId;

    private LspClient(Process process, Func<string, JsonNode?, JsonNode?> answerServerRequest)
    {
        _process = process;
        _input = process.StandardInput.BaseStream;
        _answerServerRequest = answerServerRequest;
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (_stderr)
                {
                    if (_stderr.Length < 200_000)
                    {
                        _stderr.AppendLine(e.Data);
                    }
                }
            }
        };
        process.BeginErrorReadLine();
        _reader = Task.Run(ReadLoop);
    }

    /// <summary>Every message the server sent as a notification, in order (for failure messages).</summary>
    public string Transcript
    {
        get
        {
            lock (_notifications)
            {
                return string.Join("\n", _notifications.Select(n => n.Method + " " + Shorten(n.Params?.ToJsonString() ?? string.Empty)));
            }
        }
    }

    public string StandardError
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>Starts the server; <paramref name="answerServerRequest"/> answers its requests (null result when it returns null).</summary>
    public static LspClient Start(string program, IEnumerable<string> arguments, string workingDirectory, IDictionary<string, string> environment, Func<string, JsonNode?, JsonNode?> answerServerRequest)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start " + program);
        return new LspClient(process, answerServerRequest);
    }

    public async Task<JsonNode?> Request(string method, JsonNode? parameters, TimeSpan timeout)
    {
        int id = Interlocked.Increment(ref _nextId);
        var answer = new TaskCompletionSource<JsonNode?>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = answer;
        await Send(new JsonObject { ["jsonrpc"] = "2.0", ["id"] = id, ["method"] = method, ["params"] = parameters });
        var finished = await Task.WhenAny(answer.Task, Task.Delay(timeout));
        if (finished != answer.Task)
        {
            _pending.TryRemove(id, out _);
            throw new TimeoutException(method + " got no answer in " + timeout + "\nnotifications:\n" + Transcript + "\nstderr:\n" + Tail(StandardError));
        }

        return await answer.Task;
    }

    public Task Notify(string method, JsonNode? parameters) =>
        Send(new JsonObject { ["jsonrpc"] = "2.0", ["method"] = method, ["params"] = parameters });

    /// <summary>Waits for a notification that <paramref name="match"/> accepts, looking at earlier ones first.</summary>
    public async Task<JsonNode> WaitForNotification(string method, Func<JsonNode, bool> match, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            lock (_notifications)
            {
                foreach (var (m, p) in _notifications)
                {
                    if (m == method && p is not null && match(p))
                    {
                        return p;
                    }
                }
            }

            if (_reader.IsCompleted)
            {
                break;
            }

            await Task.Delay(200);
        }

        throw new TimeoutException("no matching " + method + " in " + timeout + "\nnotifications:\n" + Transcript + "\nstderr:\n" + Tail(StandardError));
    }

    private async Task Send(JsonObject message)
    {
        byte[] body = Encoding.UTF8.GetBytes(message.ToJsonString());
        byte[] header = Encoding.ASCII.GetBytes("Content-Length: " + body.Length + "\r\n\r\n");
        await _writeLock.WaitAsync();
        try
        {
            await _input.WriteAsync(header);
            await _input.WriteAsync(body);
            await _input.FlushAsync();
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private async Task ReadLoop()
    {
        var output = _process.StandardOutput.BaseStream;
        try
        {
            while (true)
            {
                int length = await ReadHeaders(output);
                if (length < 0)
                {
                    return;
                }

                var body = new byte[length];
                int read = 0;
                while (read < length)
                {
                    int n = await output.ReadAsync(body.AsMemory(read));
                    if (n == 0)
                    {
                        return;
                    }

                    read += n;
                }

                Dispatch(JsonNode.Parse(body)!);
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // The server exited.
        }
        finally
        {
            foreach (var pending in _pending.Values)
            {
                pending.TrySetException(new IOException("the server closed its output\nstderr:\n" + Tail(StandardError)));
            }
        }
    }

    private static async Task<int> ReadHeaders(Stream output)
    {
        var line = new StringBuilder();
        int length = -1;
        var one = new byte[1];
        while (true)
        {
            if (await output.ReadAsync(one) == 0)
            {
                return -1;
            }

            if (one[0] != '\n')
            {
                if (one[0] != '\r')
                {
                    line.Append((char)one[0]);
                }

                continue;
            }

            if (line.Length == 0)
            {
                return length;
            }

            string text = line.ToString();
            if (text.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
            {
                length = int.Parse(text["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
            }

            line.Clear();
        }
    }

    private void Dispatch(JsonNode message)
    {
        string? method = message["method"]?.GetValue<string>();
        var id = message["id"];
        if (method is not null && id is not null)
        {
            // A request from the server: answer it, or it may wait for ever.
            JsonNode? result = _answerServerRequest(method, message["params"]);
            _ = Send(new JsonObject { ["jsonrpc"] = "2.0", ["id"] = id.DeepClone(), ["result"] = result });
            return;
        }

        if (method is not null)
        {
            lock (_notifications)
            {
                _notifications.Add((method, message["params"]));
            }

            return;
        }

        if (id is not null && _pending.TryRemove(id.GetValue<int>(), out var answer))
        {
            if (message["error"] is { } error)
            {
                answer.TrySetException(new InvalidOperationException("LSP error: " + error.ToJsonString()));
            }
            else
            {
                answer.TrySetResult(message["result"]);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                await Request("shutdown", null, TimeSpan.FromSeconds(20));
                await Notify("exit", null);
                _process.WaitForExit(10_000);
            }
        }
        catch (Exception e) when (e is TimeoutException or IOException or InvalidOperationException)
        {
            // Killed below.
        }
        finally
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }

            _process.Dispose();
        }
    }

    private static string Shorten(string text) => text.Length <= 2000 ? text : text[..2000] + "...";

    private static string Tail(string text) => text.Length <= 6000 ? text : "..." + text[^6000..];
}
