namespace Destination.Milvus.Processing;

/// <summary>
/// The outcome of processing one record: the chunks to insert, and the record id whose earlier chunks must be deleted
/// first (dedup streams). A CDC delete has no chunks, only the id.
/// </summary>
/// <param name="Chunks">Chunks to insert, in text order; empty for a CDC delete.</param>
/// <param name="RecordId">
/// The <c>_ab_record_id</c> (<c>{stream_identifier}_{pk1}_{pk2}</c>) whose existing chunks are replaced or deleted;
/// null unless the stream is <c>append_dedup</c> with a primary key.
/// </param>
/// <param name="IsCdcDelete">True when the record's <c>_ab_cdc_deleted_at</c> was set (truthy).</param>
internal sealed record ProcessedRecord(IReadOnlyList<Chunk> Chunks, string? RecordId, bool IsCdcDelete);
