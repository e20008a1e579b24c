using Destination.Milvus.Indexing;

namespace Destination.Milvus.Tests.Indexing;

public class KeyTableTests
{
    [Fact]
    public void Random_sets_removes_and_lookups_agree_with_a_dictionary_through_growth_and_clearing()
    {
        var random = new Random(7);

        // Few distinct keys make every operation hit existing entries and long probe runs; the zero key is one of them.
        var pool = Enumerable.Range(0, 3000).Select(i => i == 0 ? UInt128.Zero : new UInt128((ulong)random.NextInt64(), (ulong)random.NextInt64())).ToArray();
        var table = new KeyTable<int>();
        var expected = new Dictionary<UInt128, int>();
        for (var step = 0; step < 200_000; step++)
        {
            var key = pool[random.Next(step < 100_000 ? pool.Length : 300)];
            switch (random.Next(10))
            {
                case < 5:
                    table.Set(key, step);
                    expected[key] = step;
                    break;
                case < 8:
                    Assert.Equal(expected.Remove(key, out var removed), table.Remove(key, out var value));
                    Assert.Equal(removed, value);
                    break;
                default:
                    Assert.Equal(expected.TryGetValue(key, out var held), table.TryGetValue(key, out var found));
                    Assert.Equal(held, found);
                    break;
            }

            Assert.Equal(expected.Count, table.Count);
            if (step == 150_000)
            {
                var capacity = table.Capacity;
                table.Clear();
                expected.Clear();
                Assert.Equal(0, table.Count);
                Assert.Equal(capacity, table.Capacity); // the arrays are kept for the next generation
            }
        }

        Assert.Equal(expected.Values.Order(), table.Values().Order());
        Assert.All(pool, k => Assert.Equal(expected.ContainsKey(k), table.TryGetValue(k, out _)));
    }

    [Fact]
    public void Keys_that_share_a_home_slot_survive_removals_in_any_order()
    {
        // Keys equal in both halves mix to 0, so all of them start probing at slot 0 and form one run.
        var keys = Enumerable.Range(1, 10).Select(i => new UInt128((ulong)i, (ulong)i)).ToList();
        var table = new KeyTable<long>();
        foreach (var key in keys)
        {
            table.Set(key, (long)(ulong)key);
        }

        foreach (var key in new[] { keys[0], keys[5], keys[9], keys[2] })
        {
            Assert.True(table.Remove(key, out _));
            keys.Remove(key);
            Assert.All(keys, k => Assert.True(table.TryGetValue(k, out var v) && v == (long)(ulong)k));
        }

        Assert.Equal(6, table.Count);
    }

    [Fact]
    public void A_table_holds_two_thirds_of_its_slots_at_most()
    {
        var table = new KeyTable<int>();
        for (var i = 1; i <= 100_000; i++)
        {
            table.Set(new UInt128(0, (ulong)i), i);
            Assert.True(table.Count * 3 <= table.Capacity * 2);
        }

        Assert.Equal(262_144, table.Capacity); // 20 bytes a slot here: about 5 MB for 100,000 keys
    }
}
