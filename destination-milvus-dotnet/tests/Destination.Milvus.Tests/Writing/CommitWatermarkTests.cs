using Destination.Milvus.Protocol;
using Destination.Milvus.Writing;

namespace Destination.Milvus.Tests.Writing;

public class CommitWatermarkTests
{
    /// <summary>
    /// Runs a script of events and returns the trace with releases: <c>rA</c> record of stream A, <c>sA</c> STREAM
    /// state of A, <c>g</c> GLOBAL state without stream_states or LEGACY state, <c>gA.B</c> GLOBAL state listing A and
    /// B, <c>c3</c> commit of record #3 (0-based), <c>xA</c> rejected line of stream A, <c>x</c> rejected line of no
    /// known stream. States are labelled S1, S2... in arrival order; after an event that releases states the trace shows
    /// <c>&gt;S1:count</c> (and <c>/rN</c> for rejected lines).
    /// </summary>
    private static string Run(string script)
    {
        var watermark = new CommitWatermark<string>();
        var tickets = new List<CommitTicket>();
        var states = 0;
        var trace = new List<string>();
        foreach (var e in script.Split(' '))
        {
            switch (e[0])
            {
                case 'r':
                    tickets.Add(watermark.OnRecord(new StreamDescriptor(e[1..])));
                    break;
                case 's':
                case 'g':
                    watermark.OnState(Scopes(e), "S" + ++states);
                    break;
                case 'c':
                    watermark.OnCommitted(tickets[int.Parse(e[1..], System.Globalization.CultureInfo.InvariantCulture)]);
                    break;
                case 'x':
                    watermark.OnRejected(e.Length == 1 ? null : new StreamDescriptor(e[1..]));
                    break;
            }

            var released = watermark.TakeReleasable();
            trace.Add(released.Count == 0
                ? e
                : e + ">" + string.Join(",", released.Select(r => $"{r.State}:{r.RecordCount}" + (r.RejectedCount > 0 ? $"/r{r.RejectedCount}" : ""))));
        }

        return string.Join(" ", trace);
    }

    /// <summary>The scopes a state event closes: <c>sA</c> → A; <c>g</c> → global; <c>gA.B</c> → A and B.</summary>
    private static List<StateScope> Scopes(string e) => e[0] == 's'
        ? [StateScope.ForStream(new StreamDescriptor(e[1..]))]
        : e.Length == 1 ? [StateScope.Global] : e[1..].Split('.').Select(n => StateScope.ForStream(new StreamDescriptor(n))).ToList();

    [Theory]
    [InlineData("rA rA sA c0 c1", "rA rA sA c0 c1>S1:2")]
    [InlineData("rA c0 sA", "rA c0 sA>S1:1")]
    [InlineData("sA", "sA>S1:0")]
    [InlineData("g", "g>S1:0")]
    [InlineData("rA rA sA c1 c0", "rA rA sA c1 c0>S1:2")]
    [InlineData("rA rB sA sB c1 c0", "rA rB sA sB c1 c0>S1:1,S2:1")]
    [InlineData("rA rB sB sA c1 c0", "rA rB sB sA c1>S1:1 c0>S2:1")]
    [InlineData("rA rB rA sA sB c0 c1 c2", "rA rB rA sA sB c0 c1 c2>S1:2,S2:1")]
    [InlineData("rA rB rA sA sB c1 c0 c2", "rA rB rA sA sB c1 c0 c2>S1:2,S2:1")]
    [InlineData("rA sA rA c0", "rA sA rA c0>S1:1")]
    [InlineData("rA sA rA rA sA c1 c2 c0", "rA sA rA rA sA c1 c2 c0>S1:1,S2:2")]
    [InlineData("rA rB g c0 c1", "rA rB g c0 c1>S1:2")]
    [InlineData("rA rB g c1", "rA rB g c1")]
    [InlineData("rA g rA rB g c0 c1 c2", "rA g rA rB g c0>S1:1 c1 c2>S2:2")]
    [InlineData("rA g rA rB g c2 c1 c0", "rA g rA rB g c2 c1 c0>S1:1,S2:2")]
    [InlineData("rA sA rB g c1 c0", "rA sA rB g c1 c0>S1:1,S2:2")]
    [InlineData("rA rB sB rA sA c1 c0", "rA rB sB rA sA c1>S1:1 c0")]
    [InlineData("rA rB sB rA sA c1 c0 c2", "rA rB sB rA sA c1>S1:1 c0 c2>S2:2")]
    [InlineData("rA sA sA sA c0", "rA sA sA sA c0>S1:1,S2:0,S3:0")]

    // GLOBAL states listing streams count only those streams, each since its own previous checkpoint of either kind
    // (the platform's example: A, B, B, STREAM B, A, GLOBAL listing A gives 2 and 2, not 2 and 4).
    [InlineData("rA rB rB sB rA gA c0 c1 c2 c3", "rA rB rB sB rA gA c0 c1 c2>S1:2 c3>S2:2")]
    [InlineData("rA rB sB rA gA.B c0 c1 c2", "rA rB sB rA gA.B c0 c1>S1:1 c2>S2:2")]
    [InlineData("rA rB gA.B rA sA c0 c1 c2", "rA rB gA.B rA sA c0 c1>S1:2 c2>S2:1")]
    [InlineData("rA rB gA rB gA.B c1 c2 c0", "rA rB gA rB gA.B c1 c2 c0>S1:1,S2:2")]
    [InlineData("rA rC gA.B c0", "rA rC gA.B c0>S1:1")] // C's record is not this state's
    [InlineData("rA gA rA g c0 c1", "rA gA rA g c0>S1:1 c1>S2:2")] // a GLOBAL without stream_states counts since the previous one of its kind
    [InlineData("gA.A", "gA.A>S1:0")]

    // Rejected lines go to the next checkpoint of their own stream (or the next GLOBAL without streams / LEGACY), and
    // lines of no known stream go nowhere.
    [InlineData("xA rA xA sA c0", "xA rA xA sA c0>S1:1/r2")]
    [InlineData("rA sA xB sB c0", "rA sA xB sB c0>S1:1,S2:0/r1")]
    [InlineData("xA g xA", "xA g>S1:0/r1 xA")]
    [InlineData("x rA sA c0", "x rA sA c0>S1:1")]
    [InlineData("xB rA sA c0", "xB rA sA c0>S1:1")]
    [InlineData("xB g", "xB g>S1:0/r1")]
    [InlineData("x g", "x g>S1:0")]
    [InlineData("xA rA gA.B xB sB c0", "xA rA gA.B xB sB c0>S1:1/r1,S2:0/r1")]
    [InlineData("xC rA gA.B sC c0", "xC rA gA.B sC c0>S1:1,S2:0/r1")]
    public void States_are_released_in_arrival_order_once_their_records_are_committed(string script, string expected)
    {
        Assert.Equal(expected, Run(script));
    }

    [Theory]
    [InlineData("rA rB sA rA g rB sB")]
    [InlineData("rA rA sA rB sB rA sA")]
    [InlineData("rA g rB g rA rB g")]
    [InlineData("rA sA rB g rA sA rB")]
    [InlineData("rA rB rB sB rA gA rB")]
    [InlineData("rA rB gA.B rA sB rB gA.B")]
    [InlineData("rA rB rC gA.B sC rA g rB")]
    [InlineData("rB gA rA rB gB.A sA rA")]
    public void Every_commit_order_releases_exactly_what_a_reference_model_allows(string script)
    {
        var events = script.Split(' ');
        var recordCount = events.Count(e => e[0] == 'r');
        foreach (var order in Permutations(Enumerable.Range(0, recordCount).ToArray()))
        {
            var watermark = new CommitWatermark<int>();
            var tickets = new List<CommitTicket>();
            var stateIndex = 0;
            foreach (var e in events)
            {
                if (e[0] == 'r')
                {
                    tickets.Add(watermark.OnRecord(new StreamDescriptor(e[1..])));
                }
                else
                {
                    watermark.OnState(Scopes(e), stateIndex++);
                }
            }

            var committed = new HashSet<int>();
            var released = new List<ReleasedState<int>>(watermark.TakeReleasable());
            Assert.Equal(ReferenceReleasable(events, committed), released.Count);
            foreach (var record in order)
            {
                committed.Add(record);
                watermark.OnCommitted(tickets[record]);
                released.AddRange(watermark.TakeReleasable());
                Assert.Equal(ReferenceReleasable(events, committed), released.Count);
            }

            Assert.Equal(Enumerable.Range(0, stateIndex), released.Select(r => r.State));
            Assert.Equal(ReferenceCounts(events), released.Select(r => r.RecordCount));
            Assert.Equal(0, watermark.PendingCount);
        }
    }

    /// <summary>The streams a state event vouches for, or null for all of them (<c>g</c>).</summary>
    private static string[]? Covered(string e) => e[0] == 's' ? [e[1..]] : e.Length == 1 ? null : e[1..].Split('.');

    /// <summary>How many states (a prefix) may be out: each needs every earlier record of the streams it vouches for committed.</summary>
    private static int ReferenceReleasable(string[] events, HashSet<int> committed)
    {
        var released = 0;
        var recordIndex = 0;
        var records = new List<(int Index, string Stream)>();
        foreach (var e in events)
        {
            if (e[0] == 'r')
            {
                records.Add((recordIndex++, e[1..]));
                continue;
            }

            var covered = Covered(e);
            var ready = records.Where(r => covered is null || covered.Contains(r.Stream)).All(r => committed.Contains(r.Index));
            if (!ready)
            {
                return released;
            }

            released++;
        }

        return released;
    }

    /// <summary>
    /// The platform's checksum count of each state: a STREAM state, its stream's records since that stream's previous
    /// checkpoint (STREAM state or GLOBAL state listing it); a GLOBAL state listing streams, the sum of the same over
    /// the listed streams; a GLOBAL state without streams or LEGACY state, all records since the previous such state.
    /// </summary>
    private static List<long> ReferenceCounts(string[] events)
    {
        var counts = new List<long>();
        var sinceStream = new Dictionary<string, long>();
        long sinceGlobal = 0;
        foreach (var e in events)
        {
            if (e[0] == 'r')
            {
                sinceStream[e[1..]] = sinceStream.GetValueOrDefault(e[1..]) + 1;
                sinceGlobal++;
            }
            else if (Covered(e) is { } streams)
            {
                counts.Add(streams.Distinct().Sum(sinceStream.GetValueOrDefault));
                foreach (var stream in streams)
                {
                    sinceStream[stream] = 0;
                }
            }
            else
            {
                counts.Add(sinceGlobal);
                sinceGlobal = 0;
            }
        }

        return counts;
    }

    private static IEnumerable<int[]> Permutations(int[] items)
    {
        if (items.Length <= 1)
        {
            yield return items;
            yield break;
        }

        for (var i = 0; i < items.Length; i++)
        {
            var rest = items.Where((_, j) => j != i).ToArray();
            foreach (var tail in Permutations(rest))
            {
                yield return [items[i], .. tail];
            }
        }
    }

    [Fact]
    public void Commits_may_be_reported_in_groups_and_namespaces_are_distinct_streams()
    {
        var watermark = new CommitWatermark<string>();
        var a = watermark.OnRecord(new StreamDescriptor("s", "one"));
        watermark.OnRecord(new StreamDescriptor("s", "one"));
        var b = watermark.OnRecord(new StreamDescriptor("s", "two"));
        watermark.OnState(StateScope.ForStream(new StreamDescriptor("s", "one")), "one");
        Assert.Equal("1 state(s) pending; the next (stream 'one'.'s' #0) waits for 2 of 2 record(s) to be committed", watermark.DescribeWait());
        Assert.Equal(0, watermark.UnattributedRejections);
        watermark.OnCommitted(b);
        Assert.Empty(watermark.TakeReleasable());
        watermark.OnCommitted(a, 2);
        Assert.Equal(2, watermark.TakeReleasable().Single().RecordCount);
        Assert.Null(watermark.DescribeWait());
    }

    [Fact]
    public void Reporting_more_commits_than_records_is_a_bug_that_throws()
    {
        var watermark = new CommitWatermark<string>();
        var ticket = watermark.OnRecord(new StreamDescriptor("s"));
        watermark.OnCommitted(ticket);
        Assert.Throws<InvalidOperationException>(() => watermark.OnCommitted(ticket));
    }

    [Fact]
    public async Task Commits_from_many_threads_release_every_state_once_in_order()
    {
        var watermark = new CommitWatermark<int>();
        var tickets = new List<CommitTicket>();
        for (var i = 0; i < 2000; i++)
        {
            tickets.Add(watermark.OnRecord(new StreamDescriptor("s" + (i % 3))));
            if (i % 100 == 99)
            {
                watermark.OnState(StateScope.Global, i / 100);
            }
        }

        var released = new System.Collections.Concurrent.ConcurrentQueue<int>();
        var gate = new Lock();
        await Task.WhenAll(Enumerable.Range(0, 4).Select(t => Task.Run(() =>
        {
            for (var i = t; i < tickets.Count; i += 4)
            {
                watermark.OnCommitted(tickets[i]);
                lock (gate)
                {
                    foreach (var r in watermark.TakeReleasable())
                    {
                        released.Enqueue(r.State);
                    }
                }
            }
        })));
        Assert.Equal(Enumerable.Range(0, 20), released);
    }
}
