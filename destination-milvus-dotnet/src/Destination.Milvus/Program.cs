using System.Runtime.InteropServices;
using Destination.Milvus;
using Destination.Milvus.Protocol;

// Entry point: wires stdin/stdout, termination signals and the last-resort error handler, then dispatches.
using var cancellation = new CancellationTokenSource();
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true; // stop reading input and report, instead of dying silently
    cancellation.Cancel();
});
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, context =>
{
    context.Cancel = true;
    cancellation.Cancel();
});

var stdout = Console.OpenStandardOutput();
AppDomain.CurrentDomain.UnhandledException += (_, e) =>
{
    // An exception on a background thread: report it as a TRACE message, never as a .NET stack dump.
    using var writer = new MessageWriter(stdout, TimeProvider.System) { Scrubber = Connector.ActiveScrubber };
    var message = e.ExceptionObject is Exception ex ? ex.Message : "unknown error";
    writer.TraceError($"An unexpected error stopped the connector: {message}", FailureType.SystemError, Connector.Describe(e.ExceptionObject as Exception));
    Environment.Exit(Connector.Failure);
};

return await Connector.RunAsync(
    args, Console.OpenStandardInput(), stdout, Console.Error, ConnectorServices.Default, TimeProvider.System, cancellation.Token);
