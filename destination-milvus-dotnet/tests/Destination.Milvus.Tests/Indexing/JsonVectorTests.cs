using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Destination.Milvus.Indexing;

namespace Destination.Milvus.Tests.Indexing;

public class JsonVectorTests
{
    [Fact]
    public void Encoding_matches_the_serializer_byte_for_byte_on_awkward_floats()
    {
        var random = new Random(7);
        var values = new List<float> { 0f, -0f, 1f, -1f, float.Epsilon, float.MaxValue, float.MinValue, 1e-7f, 123456790f, 0.1f, 1f / 3f, 1.17549435E-38f };
        for (var i = 0; i < 5000; i++)
        {
            values.Add(BitConverter.Int32BitsToSingle(random.Next()) is var f && float.IsFinite(f) ? f : (float)random.NextDouble());
            values.Add((float)((random.NextDouble() * 2) - 1));
        }

        var vector = values.ToArray();
        var expected = JsonSerializer.Serialize(vector);
        Assert.Equal(expected, Encoding.UTF8.GetString(JsonVector.Encode(vector).Utf8));
        Assert.Equal(vector, JsonSerializer.Deserialize<float[]>(JsonVector.Encode(vector).Utf8));
    }

    [Fact]
    public void A_row_holding_an_encoded_vector_serializes_it_in_place()
    {
        var row = new JsonObject { ["pk"] = "a", ["vector"] = JsonVector.Encode([0.5f, -2f, 3e-5f]).ToNode(), ["n"] = 1 };
        Assert.Equal("""{"pk":"a","vector":[0.5,-2,3E-05],"n":1}""", row.ToJsonString());
    }

    [Fact]
    public void Encoding_allocates_little_more_than_the_json_it_keeps()
    {
        var random = new Random(11);
        var vector = Enumerable.Range(0, 1536).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
        var json = JsonVector.Encode(vector).Utf8.Length;
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 20; i++)
        {
            JsonVector.Encode(vector);
        }

        // The worst case (16 bytes per value) is 24 KB here, the JSON about 16 KB: a fresh worst-case buffer per
        // vector would allocate 2.5 times the JSON.
        var perVector = (GC.GetAllocatedBytesForCurrentThread() - before) / 20;
        Assert.InRange(perVector, json, json + 256);
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(float.NegativeInfinity)]
    public void Values_json_cannot_carry_are_refused_with_their_position(float bad)
    {
        var e = Assert.Throws<ArgumentException>(() => JsonVector.Encode([1f, bad]));
        Assert.Contains("position 1", e.Message, StringComparison.Ordinal);
    }
}
