using System;
using System.Runtime.InteropServices;
using System.Threading;

namespace VaeGen.Tool.Training;

/// <summary>
/// SIGINT (Ctrl+C) and SIGTERM during training ask the run to stop at the next step boundary instead
/// of ending the process mid-write: the epoch in progress is abandoned (it is trained again on resume)
/// and the tool says where the run stands. A second signal ends the process at once, as usual.
/// </summary>
internal sealed class StopSignals : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly PosixSignalRegistration[] _registrations;

    public StopSignals()
    {
        _registrations =
        [
            PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle),
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle),
        ];
    }

    public CancellationToken Token => _stop.Token;

    /// <summary>The signal that asked to stop, once one has.</summary>
    public PosixSignal? Received { get; private set; }

    /// <summary>The conventional exit code of a process ended by the signal: 128 + its number.</summary>
    public int ExitCode => Received == PosixSignal.SIGTERM ? 128 + 15 : Cli.ExitCodes.Interrupted;

    public void Dispose()
    {
        foreach (PosixSignalRegistration registration in _registrations)
        {
            registration.Dispose();
        }

        _stop.Dispose();
    }

    private void Handle(PosixSignalContext context)
    {
        if (Received is not null)
        {
            return; // The second signal: let it end the process.
        }

        Received = context.Signal;
        context.Cancel = true;
        _stop.Cancel();
    }
}
