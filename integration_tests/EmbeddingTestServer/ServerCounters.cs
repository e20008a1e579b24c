namespace EmbeddingTestServer;

/// <summary>Live counters of the test server, read by tests and the benchmark while it runs.</summary>
public sealed class ServerCounters
{
    private long _requests;
    private long _succeeded;
    private long _rateLimited;
    private long _serverErrors;
    private long _dropped;
    private long _unauthorized;
    private long _tokens;
    private long _inputs;

    /// <summary>Requests received on an embedding route.</summary>
    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>Requests answered with vectors.</summary>
    public long Succeeded => Interlocked.Read(ref _succeeded);

    /// <summary>Requests answered 429.</summary>
    public long RateLimited => Interlocked.Read(ref _rateLimited);

    /// <summary>Requests answered 5xx.</summary>
    public long ServerErrors => Interlocked.Read(ref _serverErrors);

    /// <summary>Connections dropped on purpose (and hung requests).</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Requests answered 401.</summary>
    public long Unauthorized => Interlocked.Read(ref _unauthorized);

    /// <summary>Tokens embedded (accepted requests).</summary>
    public long Tokens => Interlocked.Read(ref _tokens);

    /// <summary>Inputs embedded (accepted requests).</summary>
    public long Inputs => Interlocked.Read(ref _inputs);

    internal void Request() => Interlocked.Increment(ref _requests);

    internal void Success(int inputs, long tokens)
    {
        Interlocked.Increment(ref _succeeded);
        Interlocked.Add(ref _inputs, inputs);
        Interlocked.Add(ref _tokens, tokens);
    }

    internal void Limited() => Interlocked.Increment(ref _rateLimited);

    internal void ServerError() => Interlocked.Increment(ref _serverErrors);

    internal void Drop() => Interlocked.Increment(ref _dropped);

    internal void Unauthenticated() => Interlocked.Increment(ref _unauthorized);
}

/// <summary>What a request looked like, for request-shape assertions.</summary>
/// <param name="Route">"openai", "azure" or "cohere".</param>
/// <param name="Path">Request path and query.</param>
/// <param name="Authorization">The Authorization header, if any.</param>
/// <param name="ApiKeyHeader">The api-key header, if any.</param>
/// <param name="Model">Body model (or Azure deployment).</param>
/// <param name="Inputs">The texts sent.</param>
/// <param name="Dimensions">Body <c>dimensions</c>, if any.</param>
/// <param name="EncodingFormat">Body <c>encoding_format</c>, if any.</param>
/// <param name="InputType">Cohere <c>input_type</c>, if any.</param>
/// <param name="EmbeddingTypes">Cohere <c>embedding_types</c>, if any.</param>
public sealed record RecordedRequest(
    string Route,
    string Path,
    string? Authorization,
    string? ApiKeyHeader,
    string? Model,
    IReadOnlyList<string> Inputs,
    int? Dimensions,
    string? EncodingFormat,
    string? InputType,
    IReadOnlyList<string>? EmbeddingTypes);
