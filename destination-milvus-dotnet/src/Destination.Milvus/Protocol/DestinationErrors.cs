namespace Destination.Milvus.Protocol;

/// <summary>
/// The one place an exception becomes what a failed command reports. Errors the connector raises on purpose are
/// <see cref="DestinationException"/>s and already carry their failure type; only what the runtime throws is turned
/// into one here.
/// </summary>
internal static class DestinationErrors
{
    /// <summary>The <see cref="DestinationException"/> to report for <paramref name="exception"/> (itself when it is one).</summary>
    public static DestinationException From(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception switch
        {
            DestinationException known => known,
            OutOfMemoryException => new SystemErrorException(
                $"The connector ran out of memory ({GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024 * 1024)} MB available to it). " +
                "A single record needs several times its size while it is chunked (a 50 MB text field: about 650 MB); " +
                "raise the destination's memory limit (resource requirements in Airbyte) or make the source send smaller records.",
                exception),
            _ => new SystemErrorException($"The write pipeline failed unexpectedly: {exception.Message}", exception),
        };
    }
}
