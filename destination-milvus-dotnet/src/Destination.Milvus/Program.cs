using System.IO.Pipes;
using System.Runtime.InteropServices;
using Destination.Milvus;
using Destination.Milvus.Protocol;
using Microsoft.Win32.SafeHandles;

// Entry point: wires stdin/stdout, termination signals and the last-resort error handler, then dispatches.
using var cancellation = new CancellationTokenSource();
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true; // stop reading input and end with exit code 143, instead of dying mid-write
    cancellation.Cancel();
});
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, context =>
{
    context.Cancel = true;
    cancellation.Cancel();
});

using var stdout = OpenStandardOutput();
AppDomain.CurrentDomain.UnhandledException += (_, e) =>
{
    // An exception on a background thread: report it as a TRACE message, never as a .NET stack dump.
    try
    {
        using var writer = new MessageWriter(stdout, TimeProvider.System) { Scrubber = Connector.ActiveScrubber };
        var message = e.ExceptionObject is Exception ex ? ex.Message : "unknown error";
        writer.TraceError($"An unexpected error stopped the connector: {message}", FailureType.SystemError, Connector.Describe(e.ExceptionObject as Exception));
    }
    catch (IOException)
    {
        // stdout is closed: nothing can be reported.
    }

    Environment.Exit(Connector.Failure);
};

// Not disposed: disposing a pipe stream over descriptor 0 that it does not own blocks forever; the process ends anyway.
var stdin = OpenStandardInput();
return await Connector.RunAsync(
    args, stdin, stdout, Console.Error, ConnectorServices.Default, TimeProvider.System, cancellation.Token);

// A termination signal must stop the read of stdin at once, even while the source sends nothing. .NET's console stream
// reads in a blocking call that no cancellation reaches, so a pipe (as the platform's /dest/stdin FIFO is) is read as
// a pipe stream, whose reads are cancellable. Anything else (a file, a terminal) keeps the console stream.
static Stream OpenStandardInput()
{
    if (OperatingSystem.IsWindows())
    {
        return Console.OpenStandardInput();
    }

    try
    {
        return new AnonymousPipeClientStream(PipeDirection.In, new SafePipeHandle(0, ownsHandle: false));
    }
    catch (IOException)
    {
        return Console.OpenStandardInput(); // not a pipe
    }
}

// .NET's console stream pretends that writes to a closed pipe succeed (it swallows EPIPE). The connector must know when
// its reader is gone (Airbyte closes stdout when it cancels or aborts a sync, and nothing may be deleted then), so a
// pipe or terminal is written through a plain unbuffered FileStream, which reports EPIPE as an IOException. A
// regular file keeps the console stream: it cannot be closed by a reader, and a FileStream would keep a position of
// its own next to stderr's.
static Stream OpenStandardOutput()
{
    if (OperatingSystem.IsWindows())
    {
        return Console.OpenStandardOutput();
    }

    FileStream stream;
    try
    {
        stream = new FileStream(new SafeFileHandle(1, ownsHandle: false), FileAccess.Write, bufferSize: 0);
    }
    catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
    {
        return Console.OpenStandardOutput(); // no usable descriptor 1: the console stream copes
    }

    if (!stream.CanSeek)
    {
        return stream;
    }

    stream.Dispose();
    return Console.OpenStandardOutput();
}
