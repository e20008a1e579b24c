namespace Destination.Milvus.Indexing;

/// <summary>Load states as Milvus names them.</summary>
internal static class MilvusLoadState
{
    /// <summary>Fully loaded: query, search and delete-by-filter work.</summary>
    public const string Loaded = "LoadStateLoaded";

    /// <summary>Loading in progress.</summary>
    public const string Loading = "LoadStateLoading";

    /// <summary>Not loaded.</summary>
    public const string NotLoad = "LoadStateNotLoad";
}
