using Destination.Milvus.Protocol;
using Destination.Milvus.Writing;

namespace Destination.Milvus.Tests.Writing;

/// <summary>
/// The end-of-sync truncation rule on event scripts: <c>rA</c> record of stream A, <c>sA</c> STREAM state of A,
/// <c>gA.B</c> GLOBAL state listing A and B, <c>g</c> GLOBAL without stream_states or LEGACY, <c>cA</c> STREAM_STATUS
/// COMPLETE of A, <c>iA</c> another status of A (INCOMPLETE), <c>c?</c> a status naming no stream. The catalog holds
/// streams A, B and C; the result lists the streams the gate lets truncate.
/// </summary>
public class TruncationGateTests
{
    private static readonly StreamDescriptor[] Catalog = [new("A"), new("B"), new("C")];

    private static TruncationGate Feed(string script)
    {
        var gate = new TruncationGate(Catalog);
        foreach (var e in script.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var rest = e[1..];
            switch (e[0])
            {
                case 'r':
                    gate.OnRecord(new StreamDescriptor(rest));
                    break;
                case 's':
                    gate.OnState([StateScope.ForStream(new StreamDescriptor(rest))]);
                    break;
                case 'g':
                    gate.OnState(rest.Length == 0 ? [StateScope.Global] : rest.Split('.').Select(n => StateScope.ForStream(new StreamDescriptor(n))).ToList());
                    break;
                case 'c':
                    gate.OnStreamStatus(rest == "?" ? null : new StreamDescriptor(rest), "COMPLETE");
                    break;
                case 'i':
                    gate.OnStreamStatus(new StreamDescriptor(rest), "INCOMPLETE");
                    break;
                default:
                    throw new ArgumentException(e);
            }
        }

        return gate;
    }

    private static string Truncated(string script)
    {
        var gate = Feed(script);
        return string.Concat(Catalog.Where(s => gate.Decide(s).Truncate).Select(s => s.Name));
    }

    [Theory]
    // (a) statuses for all streams, for some, for none of those with records; a record after COMPLETE; a status naming no stream.
    [InlineData("rA rB sA sB cA cB cC", "ABC")]
    [InlineData("rA rB sA sB cA", "A")]
    [InlineData("rA rB sA sB iA iB", "")]
    [InlineData("rA rB cA rA cB", "B")]
    [InlineData("rA sA c?", "")]
    [InlineData("rA sA cA iA", "")]
    [InlineData("rA cA", "A")] // COMPLETE needs no state: the platform vouches for the stream
    // (b) no statuses: a state after the last record; records after the last state; streams absent from the input.
    [InlineData("rA rA sA", "A")]
    [InlineData("rA sA rA", "")]
    [InlineData("rA rB sA", "A")]
    [InlineData("rA rB sB rA", "B")]
    [InlineData("rA rB g", "ABC")] // LEGACY / GLOBAL without stream_states covers every stream, the unseen C too
    [InlineData("rA g rA", "BC")]
    [InlineData("rA rB gA", "A")] // GLOBAL listing A covers A only
    [InlineData("rA rB gA.B rA", "B")]
    [InlineData("sA sB", "AB")] // a clear job: a (null) state per stream, no records
    [InlineData("", "")] // an empty input deletes nothing
    [InlineData("rA", "")]
    [InlineData("rA sB", "B")]
    public void A_stream_is_truncated_only_when_the_input_shows_it_complete(string script, string expected)
    {
        Assert.Equal(expected, Truncated(script));
    }

    [Fact]
    public void Every_verdict_says_why()
    {
        Assert.Equal("the platform reported the stream COMPLETE", Feed("rA cA").Decide(new StreamDescriptor("A")).Reason);
        Assert.StartsWith("the platform sent stream statuses but did not report this stream COMPLETE", Feed("rA cB").Decide(new StreamDescriptor("A")).Reason, StringComparison.Ordinal);
        Assert.Equal("a state covering the stream arrived after its last record", Feed("rA sA").Decide(new StreamDescriptor("A")).Reason);
        Assert.StartsWith("a state covering the stream arrived and no record of it", Feed("sA").Decide(new StreamDescriptor("A")).Reason, StringComparison.Ordinal);
        Assert.StartsWith("no state covering the stream arrived after its last record", Feed("sA rA").Decide(new StreamDescriptor("A")).Reason, StringComparison.Ordinal);
        Assert.StartsWith("neither a record nor a state of the stream arrived", Feed("rB sB").Decide(new StreamDescriptor("A")).Reason, StringComparison.Ordinal);
        Assert.False(Feed("sX").Decide(new StreamDescriptor("X")).Truncate);
    }

    [Fact]
    public void Namespaces_are_distinct_streams_and_an_empty_namespace_is_none()
    {
        var gate = new TruncationGate([new StreamDescriptor("s", "one"), new StreamDescriptor("s", "two"), new StreamDescriptor("t")]);
        gate.OnRecord(new StreamDescriptor("s", "one"));
        gate.OnRecord(new StreamDescriptor("s", "two"));
        gate.OnRecord(new StreamDescriptor("t"));
        gate.OnState([StateScope.ForStream(new StreamDescriptor("s", "one"))]);
        gate.OnState([StateScope.ForStream(new StreamDescriptor("t", ""))]);
        Assert.True(gate.Decide(new StreamDescriptor("s", "one")).Truncate);
        Assert.False(gate.Decide(new StreamDescriptor("s", "two")).Truncate);
        Assert.True(gate.Decide(new StreamDescriptor("t")).Truncate);
    }

    [Fact]
    public void Streams_outside_the_catalog_are_not_tracked()
    {
        var gate = new TruncationGate([new StreamDescriptor("A")]);
        for (var i = 0; i < 1000; i++)
        {
            gate.OnState([StateScope.ForStream(new StreamDescriptor("hostile" + i))]);
            gate.OnStreamStatus(new StreamDescriptor("hostile" + i), "COMPLETE");
        }

        Assert.False(gate.Decide(new StreamDescriptor("hostile1")).Truncate);
        Assert.False(gate.Decide(new StreamDescriptor("A")).Truncate); // statuses arrived, none for A
    }
}
