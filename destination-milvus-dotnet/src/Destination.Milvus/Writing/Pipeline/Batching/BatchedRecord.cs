namespace Destination.Milvus.Writing.Pipeline.Batching;

/// <summary>A record in a batch, with what the later stages need to know about its place in the input.</summary>
/// <param name="Record">The record.</param>
/// <param name="Plan">What the sync does with its stream.</param>
/// <param name="Ordinal">Its position among its stream's records since the last state (<see cref="AppendPositions"/>).</param>
internal sealed record BatchedRecord(SinkRecord Record, StreamWritePlan Plan, long Ordinal);
