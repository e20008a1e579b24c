using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Destination.Milvus.Indexing;

/// <summary>
/// Finds stored vectors by <c>_ab_fingerprint</c>: the declared, INVERTED-indexed field on collections this connector
/// creates, or the dynamic key of the same name elsewhere (a scan of the rows' JSON, which Milvus runs per query).
/// <para>
/// Two bounded queries per slice of fingerprints, both at the collection's default (Bounded) consistency:
/// <list type="number">
/// <item>which rows hold them: primary key and fingerprint only, so a text stored in many rows (appended syncs, a
/// signature shared by many tickets) costs a few bytes per row, within Milvus's 16,384-row query window;</item>
/// <item>one of those rows per fingerprint by primary key, with its fingerprint and vector. Only rows whose
/// fingerprint is still the one asked for are used: a row rewritten with other text between the two queries is a
/// miss, never a wrong vector.</item>
/// </list>
/// A slice holds as many fingerprints as keep the second answer under <see cref="ResponseBudgetBytes"/> (about 900 at
/// 1,536 dimensions), so a batch of the write pipeline usually needs one slice; when nothing is found, only the first,
/// small query is sent. Filter values are escaped (<see cref="FilterExpression"/>). Thread-safe.
/// </para>
/// </summary>
internal sealed class MilvusStoredVectors : IStoredVectors
{
    /// <summary>The most bytes of vectors one answer may carry (Milvus's default gRPC and result limits are far higher).</summary>
    public const int ResponseBudgetBytes = 16 * 1024 * 1024;

    /// <summary>The most fingerprints per query, whatever the dimension (keeps the filter expression a few tens of KB).</summary>
    public const int MaxSliceLength = 1000;

    /// <summary>JSON bytes one vector value may take in an answer (<c>-0.012345678,</c>), with room to spare.</summary>
    private const int BytesPerValue = 16;

    private readonly IMilvusDataClient _client;
    private readonly CollectionLayout _layout;
    private readonly int _dimensions;

    /// <summary>Creates the lookup for <paramref name="layout"/>, whose vectors have <paramref name="dimensions"/> values.</summary>
    public MilvusStoredVectors(IMilvusDataClient client, CollectionLayout layout, int dimensions)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentOutOfRangeException.ThrowIfLessThan(dimensions, 1);
        _client = client;
        _layout = layout;
        _dimensions = dimensions;
        SliceLength = Math.Clamp(ResponseBudgetBytes / ((dimensions * BytesPerValue) + 256), 1, MaxSliceLength);
    }

    /// <summary>Fingerprints per pair of queries.</summary>
    public int SliceLength { get; }

    /// <inheritdoc />
    public string Description => _layout.HasFingerprintField
        ? $"by the indexed field '{ConnectorSchema.FingerprintField}'"
        : $"by the dynamic key '{ConnectorSchema.FingerprintField}' (the collection predates the field; each lookup scans its rows' JSON)";

    /// <inheritdoc />
    public async Task<IReadOnlyDictionary<string, float[]>> FindAsync(IReadOnlyCollection<string> fingerprints, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(fingerprints);
        var found = new Dictionary<string, float[]>(StringComparer.Ordinal);
        foreach (var slice in fingerprints.Distinct(StringComparer.Ordinal).Chunk(SliceLength))
        {
            var wanted = slice.ToHashSet(StringComparer.Ordinal);
            var holders = await FindHoldersAsync(slice, wanted, cancellationToken).ConfigureAwait(false);
            if (holders.Count > 0)
            {
                await ReadVectorsAsync(holders, wanted, found, cancellationToken).ConfigureAwait(false);
            }
        }

        return found;
    }

    /// <summary>One primary key per fingerprint that some row holds.</summary>
    private async Task<List<JsonNode>> FindHoldersAsync(string[] slice, HashSet<string> wanted, CancellationToken cancellationToken)
    {
        var rows = await _client.QueryAsync(
            new QueryRequest(_layout.CollectionName, FilterExpression.In(ConnectorSchema.FingerprintField, slice), [ConnectorSchema.FingerprintField], MilvusLimits.QueryWindow),
            cancellationToken).ConfigureAwait(false);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var holders = new List<JsonNode>();
        foreach (var row in rows)
        {
            if (Text(row[ConnectorSchema.FingerprintField]) is { } fingerprint && wanted.Contains(fingerprint) && row[_layout.PrimaryKeyField] is { } key && seen.Add(fingerprint))
            {
                holders.Add(key);
            }
        }

        return holders;
    }

    /// <summary>Reads the holders' vectors; keeps each only while its row still holds a wanted fingerprint.</summary>
    private async Task ReadVectorsAsync(List<JsonNode> holders, HashSet<string> wanted, Dictionary<string, float[]> found, CancellationToken cancellationToken)
    {
        var filter = _layout.Kind == CollectionKind.AutoIdSchema
            ? FilterExpression.In(_layout.PrimaryKeyField, holders.Select(Int64).OfType<long>())
            : FilterExpression.In(_layout.PrimaryKeyField, holders.Select(Text).OfType<string>());
        var rows = await _client.QueryAsync(
            new QueryRequest(_layout.CollectionName, filter, [ConnectorSchema.FingerprintField, _layout.VectorField], Math.Min(holders.Count * 2, MilvusLimits.QueryWindow)),
            cancellationToken).ConfigureAwait(false);
        foreach (var row in rows)
        {
            if (Text(row[ConnectorSchema.FingerprintField]) is { } fingerprint && wanted.Contains(fingerprint) && !found.ContainsKey(fingerprint) && Vector(row[_layout.VectorField]) is { } vector)
            {
                found[fingerprint] = vector;
            }
        }
    }

    /// <summary>The stored numbers as float32, exactly as Milvus holds them; null when the value is not a vector of this size.</summary>
    private float[]? Vector(JsonNode? node)
    {
        if (node is null)
        {
            return null;
        }

        try
        {
            // Written as raw JSON and read straight into floats: no node per number.
            var vector = node.Deserialize(MilvusJsonContext.Default.SingleArray);
            return vector is not null && vector.Length == _dimensions && Array.TrueForAll(vector, float.IsFinite) ? vector : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? Text(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private static long? Int64(JsonNode? node) => node switch
    {
        JsonValue v when v.TryGetValue<long>(out var n) => n,
        JsonValue v when v.TryGetValue<string>(out var s) && long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) => n,
        _ => null,
    };
}
