using Destination.Milvus.Configuration;
using Destination.Milvus.Protocol;

namespace Destination.Milvus.Embedding;

/// <summary>
/// <c>mode: from_field</c>: the source already put vectors in a record field, which record processing extracts. This
/// embedder only states the dimension (for the collection) and has nothing to check; asking it to embed text is a
/// programming error.
/// </summary>
internal sealed class FromFieldEmbedder : IEmbedder
{
    private readonly string _fieldName;

    public FromFieldEmbedder(FromFieldEmbeddingConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        Dimensions = config.Dimensions;
        _fieldName = config.FieldName;
    }

    /// <inheritdoc />
    public int Dimensions { get; }

    /// <inheritdoc />
    public Task<IReadOnlyList<float[]>> EmbedAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken) =>
        throw new EmbeddingException(
            FailureType.SystemError,
            $"Embedding mode from_field takes vectors from record field '{_fieldName}'; no text should be sent to an embedder.");

    /// <inheritdoc />
    public Task<string?> CheckAsync(CancellationToken cancellationToken) => Task.FromResult<string?>(null);
}
