namespace Destination.Milvus.Configuration;

/// <summary>
/// The whole connector configuration, built once from the config JSON and never changed.
/// Mirrors the four parts of the Airbyte vector CDK: processing, embedding, indexing, and the writer options.
/// </summary>
/// <param name="Embedding">How chunks become vectors.</param>
/// <param name="Processing">How records become chunks.</param>
/// <param name="OmitRawText">When true the chunk text is not stored in Milvus (the key is left out, not written as null).</param>
/// <param name="Indexing">Where and how vectors are stored in Milvus.</param>
internal sealed record DestinationConfig(
    EmbeddingConfig Embedding,
    ProcessingConfig Processing,
    bool OmitRawText,
    IndexingConfig Indexing)
{
    /// <summary>The advanced settings the config sets (none when an old config has none of them).</summary>
    public TuningConfig Tuning { get; init; } = TuningConfig.None;

    /// <summary>
    /// <c>reuse_embeddings</c>: look up stored vectors of unchanged text before embedding (<see cref="Writing.Pipeline.Preparing.VectorReuse"/>).
    /// Only embedders with a <see cref="Embedding.VectorFingerprint"/> (paid or slow providers) are looked up.
    /// <value>Default true.</value>
    /// </summary>
    public bool ReuseEmbeddings { get; init; } = true;

    /// <summary>Every secret value of this config, so that output can be scrubbed of them.</summary>
    public IEnumerable<string> Secrets => Embedding.Secrets.Concat(Indexing.Auth.Secrets).Where(s => s.Length > 0);
}
