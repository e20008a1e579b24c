namespace MilvusTestServer.Filter;

/// <summary>
/// <c>x in ["a", ...]</c> over strings, answered from a hash set: what Milvus answers from an index (a primary key, an
/// INVERTED scalar index), with the truth values of <see cref="InNode"/>. Comparing every row with every listed value
/// made deletes and lookups of hundreds of record ids or fingerprints quadratic here, so the test server, not the
/// connector, set the pace of re-syncs in benchmarks.
/// </summary>
public sealed record IndexedInNode(Operand Operand, IReadOnlySet<string> Values, bool Negated) : FilterNode
{
    /// <summary>Lists shorter than this are compared value by value, as <see cref="InNode"/> does.</summary>
    private const int MinimumValues = 8;

    /// <inheritdoc />
    public override bool? Evaluate(IFilterRow row, bool missingIsUnknown)
    {
        var value = Operand.Evaluate(row);
        if (value.Kind == FilterValueKind.Missing)
        {
            return OnMissing(missingIsUnknown);
        }

        var found = value.Kind == FilterValueKind.String && Values.Contains(value.Text!);
        return found != Negated;
    }

    /// <summary><paramref name="node"/> with every long <c>in</c> list of strings (also under and, or, not) answered from a set.</summary>
    public static FilterNode Index(FilterNode node) => node switch
    {
        InNode { Values.Count: >= MinimumValues } list when list.Values.All(v => v.Kind == FilterValueKind.String) =>
            new IndexedInNode(list.Operand, list.Values.Select(v => v.Text!).ToHashSet(StringComparer.Ordinal), list.Negated),
        AndNode and => new AndNode(Index(and.Left), Index(and.Right)),
        OrNode or => new OrNode(Index(or.Left), Index(or.Right)),
        NotNode not => new NotNode(Index(not.Inner)),
        _ => node,
    };
}
