using System.Text.Json.Nodes;
using Destination.Milvus.Indexing;

namespace Destination.Milvus.Tests.Indexing;

public class RequestSlicerTests
{
    private static JsonObject Row(int textLength, int dimensions = 4) =>
        new() { ["text"] = new string('x', textLength), ["vector"] = JsonVector.Encode(new float[dimensions]).ToNode() };

    [Fact]
    public void Requests_hold_at_most_a_thousand_rows_and_keep_the_rows_in_order()
    {
        var rows = Enumerable.Range(0, 2500).Select(i => new JsonObject { ["i"] = i, ["vector"] = JsonVector.Encode([1f]).ToNode() }).ToList();
        var requests = new RequestSlicer("vector").Slice(rows).ToList();
        Assert.Equal([1000, 1000, 500], requests.Select(r => r.Count));
        Assert.Equal(Enumerable.Range(0, 2500), requests.SelectMany(r => r).Select(r => r["i"]!.GetValue<int>()));
    }

    [Fact]
    public void Requests_are_cut_near_four_megabytes_and_a_single_larger_row_still_gets_its_own()
    {
        var slicer = new RequestSlicer("vector");
        var rowBytes = slicer.EstimateBytes(Row(100_000));
        var rows = Enumerable.Range(0, 100).Select(_ => Row(100_000)).Append(Row(5_000_000)).ToList(); // the last row alone exceeds the budget
        var requests = slicer.Slice(rows).ToList();
        Assert.All(requests.SkipLast(1), r => Assert.True(r.Sum(slicer.EstimateBytes) <= RequestSlicer.MaxRequestBytes));
        Assert.Equal((int)(RequestSlicer.MaxRequestBytes / rowBytes), requests[0].Count);
        Assert.Single(requests[^1]);
        Assert.Equal(101, requests.Sum(r => r.Count));
    }

    [Fact]
    public void A_vector_is_measured_by_its_encoded_length()
    {
        var slicer = new RequestSlicer("vector");
        Assert.True(slicer.EstimateBytes(Row(0, 1536)) > slicer.EstimateBytes(Row(0, 4)) + (1536 - 4));
    }
}
