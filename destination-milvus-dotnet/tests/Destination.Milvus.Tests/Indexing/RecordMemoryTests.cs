using Destination.Milvus.Indexing;

namespace Destination.Milvus.Tests.Indexing;

public class RecordMemoryTests
{
    private static UInt128 Key(int i) => new(0, (ulong)i);

    [Fact]
    public void A_full_generation_makes_the_one_before_it_forgotten_at_the_next_plan_but_one()
    {
        var forgotten = new List<int[]>();
        var memory = new RecordMemory<int>(3, table => forgotten.Add([.. table.Values().Order()]));
        memory.StartPlan();
        memory.Set(Key(1), 10);
        memory.Set(Key(2), 20);
        memory.StartPlan();
        memory.Set(Key(3), 30);
        memory.StartPlan(); // generation full: it becomes the previous one, nothing is forgotten yet
        Assert.False(memory.HasForgotten);
        memory.Set(Key(4), 40);
        memory.Set(Key(1), 11); // written again: moves to the current generation
        memory.Set(Key(5), 50);
        memory.StartPlan();
        Assert.True(memory.HasForgotten);
        Assert.Equal([[20, 30]], forgotten);
        Assert.True(memory.TryGetValue(Key(1), out var one) && one == 11);
        Assert.False(memory.TryGetValue(Key(2), out _));
        Assert.True(memory.TryGetValue(Key(4), out _));
        Assert.Equal(3, memory.Count);
    }

    [Fact]
    public void Memory_stays_within_two_generations_whatever_the_number_of_keys()
    {
        var memory = new RecordMemory<int>(1000);
        for (var plan = 1; plan <= 2000; plan++)
        {
            memory.StartPlan();
            for (var i = 0; i < 256; i++)
            {
                memory.Set(Key((plan * 256) + i), i);
            }

            Assert.True(memory.Count <= 2 * (1000 + 256));
        }

        Assert.True(memory.HasForgotten);
        Assert.True(memory.TryGetValue(Key((2000 * 256) + 7), out var last) && last == 7);
        Assert.False(memory.TryGetValue(Key(256 + 7), out _));
    }

    [Fact]
    public void Removing_finds_a_key_in_either_generation()
    {
        var memory = new RecordMemory<int>(1);
        memory.StartPlan();
        memory.Set(Key(1), 1);
        memory.StartPlan();
        memory.Set(Key(2), 2);
        Assert.True(memory.Remove(Key(1), out var first) && first == 1);
        Assert.True(memory.Remove(Key(2), out var second) && second == 2);
        Assert.Equal(0, memory.Count);
        Assert.False(memory.Remove(Key(1), out _));
        Assert.False(memory.HasForgotten);
    }
}
