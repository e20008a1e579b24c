namespace Destination.Milvus.IntegrationTests.Milvus;

/// <summary>A clock for the test server's staleness window that moves only when told to.</summary>
internal sealed class SteppingClock : TimeProvider
{
    private long ticks = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).UtcTicks;

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref ticks), TimeSpan.Zero);

    public void Advance(TimeSpan by) => Interlocked.Add(ref ticks, by.Ticks);
}
