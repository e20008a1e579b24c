namespace Destination.Milvus.IntegrationTests.Milvus;

/// <summary>
/// Real Milvus reads with Bounded consistency, so fresh writes may be invisible for a few seconds. This polls until
/// the condition holds (the in-process test server, without staleness, passes on the first try).
/// </summary>
internal static class Eventually
{
    public static async Task<T> MatchAsync<T>(Func<Task<T>> read, Func<T, bool> condition, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (true)
        {
            var value = await read();
            if (condition(value) || DateTime.UtcNow > deadline)
            {
                return value;
            }

            await Task.Delay(250, TestContext.Current.CancellationToken);
        }
    }
}
