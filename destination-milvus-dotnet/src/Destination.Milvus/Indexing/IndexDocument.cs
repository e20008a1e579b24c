namespace Destination.Milvus.Indexing;

/// <summary>
/// One record as the indexer sees it: ready-to-store chunks (text, metadata, vector) plus what decides how older
/// versions are replaced. It knows nothing about Airbyte messages or states, so the indexer can be tested alone.
/// </summary>
/// <param name="Stream">The stream identifier stored in <c>_ab_stream</c> (<c>namespace_name</c> or <c>name</c>).</param>
/// <param name="RecordId">The dedupe id (<c>_ab_record_id</c>) of an append_dedup record with a primary key; null otherwise.</param>
/// <param name="KeySeed">
/// What the computed primary keys are derived from on connector collections: the record id for dedupe records, or a
/// position-and-content seed for appended records, so a rerun of the same input upserts the same keys.
/// </param>
/// <param name="Generation">The sync generation stored in <c>_ab_generation</c>.</param>
/// <param name="Truncate">True when older generations of the stream are deleted after the sync (the generation is then part of the keys).</param>
/// <param name="IsDelete">A CDC delete: remove every chunk of <paramref name="RecordId"/>.</param>
/// <param name="Chunks">The chunks to store, in text order; empty for deletes and records without text.</param>
/// <param name="SourceBytes">Size of the record's data; metadata can only exceed Milvus's JSON limit when this is large, so small records skip the size check.</param>
/// <param name="NewGeneration">
/// True when no other sync can have written rows under <paramref name="Generation"/>: it is this sync's own id (the
/// catalog has none). False for a catalog <c>generation_id</c>, which Airbyte keeps across the attempts of a job
/// (resumable full refresh): rows a failed attempt wrote then carry it too, and the end-of-sync delete of older
/// generations never reaches them, so dedupe must find them as it finds versions of earlier syncs.
/// </param>
internal sealed record IndexDocument(
    string Stream,
    string? RecordId,
    string KeySeed,
    long Generation,
    bool Truncate,
    bool IsDelete,
    IReadOnlyList<IndexChunk> Chunks,
    long SourceBytes,
    bool NewGeneration = false);
