using System.Text.Json.Nodes;

namespace Destination.Milvus.Indexing;

/// <summary>The result of insert or upsert: how many rows and their primary keys (Int64 keys as numbers, VarChar as strings).</summary>
/// <param name="Count">Rows written.</param>
/// <param name="Ids">Primary keys in row order, as JSON values (number or string).</param>
internal sealed record MutationResult(long Count, IReadOnlyList<JsonNode?> Ids);
