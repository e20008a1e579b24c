using MilvusTestServer.Filter;

namespace Destination.Milvus.IntegrationTests.Milvus;

/// <summary>The test server's set-backed <c>in</c> lists answer exactly as the value-by-value evaluation does.</summary>
public sealed class IndexedInNodeTests
{
    private static readonly FilterSchema Schema = new(new Dictionary<string, string>(StringComparer.Ordinal) { ["s"] = "VarChar", ["n"] = "Int64" }, true);

    [Theory]
    [InlineData("s in [\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\",\"i\"]")]
    [InlineData("s not in [\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\",\"i\"]")]
    [InlineData("(k in [\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\",\"i\"]) and (n >= 1)")]
    [InlineData("not (k in [\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\",\"i\"]) or (n == 0)")]
    [InlineData("s in [\"a\",\"b\"]")]
    public void Set_backed_lists_match_the_same_rows_under_both_logics(string filter)
    {
        var plain = FilterParser.Parse(filter, Schema);
        var indexed = IndexedInNode.Index(plain);
        var rows = new[]
        {
            Row("a", 0, "b"), Row("z", 1, "i"), Row("i", 2, null), Row(null, 3, "q"), Row("A", 1, "a"),
        };
        Assert.Equal(filter.Contains("\"i\"]", StringComparison.Ordinal), !ReferenceEquals(plain, indexed));
        foreach (var unknown in new[] { false, true })
        {
            Assert.Equal(rows.Select(r => plain.Evaluate(r, unknown)), rows.Select(r => indexed.Evaluate(r, unknown)));
        }
    }

    private static TestRow Row(string? s, long n, string? k) => new(s, n, k);

    private sealed record TestRow(string? S, long N, string? K) : IFilterRow
    {
        public FilterValue Field(string name, IReadOnlyList<object> path) => name switch
        {
            "s" when S is not null => FilterValue.Of(S),
            "n" => FilterValue.Of(N),
            _ => FilterValue.Missing,
        };

        public FilterValue Dynamic(string key, IReadOnlyList<object> path) => key == "k" && K is not null ? FilterValue.Of(K) : FilterValue.Missing;
    }
}
