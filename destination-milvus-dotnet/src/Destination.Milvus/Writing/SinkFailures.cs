using Destination.Milvus.Embedding;
using Destination.Milvus.Indexing;
using Destination.Milvus.Processing;
using Destination.Milvus.Protocol;
using EmbeddingFailure = Destination.Milvus.Embedding.FailureType;

namespace Destination.Milvus.Writing;

/// <summary>
/// Turns the pipeline's own exception types into the protocol's <see cref="DestinationException"/>s, so the sync ends
/// with one TRACE error whose failure_type says who must act: the user (config_error), nobody but a retry
/// (transient_error), or the developers (system_error).
/// </summary>
public static class SinkFailures
{
    /// <summary>The <see cref="DestinationException"/> for <paramref name="exception"/> (itself when it already is one).</summary>
    public static DestinationException Map(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception switch
        {
            DestinationException d => d,
            ProcessingConfigException p => new ConfigErrorException(p.Message, p),
            EmbeddingException e => e.FailureType switch
            {
                EmbeddingFailure.ConfigError => new ConfigErrorException(e.Message, e),
                EmbeddingFailure.TransientError => new TransientErrorException(e.Message, e),
                _ => new SystemErrorException(e.Message, e),
            },
            MilvusException m => MapMilvus(m),
            OutOfMemoryException => new SystemErrorException(
                $"The connector ran out of memory ({GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024 * 1024)} MB available to it). " +
                "A single record needs several times its size while it is chunked (a 50 MB text field: about 650 MB); " +
                "raise the destination's memory limit (resource requirements in Airbyte) or make the source send smaller records.",
                exception),
            _ => new SystemErrorException($"The write pipeline failed unexpectedly: {exception.Message}", exception),
        };
    }

    private static DestinationException MapMilvus(MilvusException m)
    {
        var message = m.Message.StartsWith("Milvus", StringComparison.OrdinalIgnoreCase) ? m.Message : "Milvus: " + m.Message;
        return m.Kind switch
        {
            MilvusErrorKind.Authentication or MilvusErrorKind.PermissionDenied or MilvusErrorKind.DatabaseNotFound
                or MilvusErrorKind.IncompatibleCollection or MilvusErrorKind.CollectionNotFound => new ConfigErrorException(message, m),
            MilvusErrorKind.Connection when m.PermanentConnectionFailure => new ConfigErrorException(message, m),
            _ when m.IsTransient => new TransientErrorException(message, m),
            _ => new SystemErrorException(message, m),
        };
    }
}
