namespace MilvusTestServer.Store;

/// <summary>All databases and their collections. One lock guards everything; this server favours fidelity over speed.</summary>
public sealed class MilvusStore
{
    private long nextCollectionId = 1;

    public MilvusStore(IEnumerable<string> databases)
    {
        Databases["default"] = new Dictionary<string, CollectionState>(StringComparer.Ordinal);
        foreach (var db in databases)
        {
            Databases[db] = new Dictionary<string, CollectionState>(StringComparer.Ordinal);
        }
    }

    public Lock Gate { get; } = new();

    public Dictionary<string, Dictionary<string, CollectionState>> Databases { get; } = new(StringComparer.Ordinal);

    public long NextCollectionId() => nextCollectionId++;
}
