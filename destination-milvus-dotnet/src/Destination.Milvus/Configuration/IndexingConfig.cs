namespace Destination.Milvus.Configuration;

/// <summary>
/// Where vectors go: a Milvus (2.4+) or Zilliz Cloud endpoint reached through the REST API v2.
/// </summary>
/// <param name="Host">As users write it for the Python connector: <c>https://...zillizcloud.com</c>, <c>http://host:19530</c>, or <c>tcp://host:19530</c> (plain HTTP).</param>
/// <param name="Db">Database name; empty means the default database.</param>
/// <param name="Collection">Collection name.</param>
/// <param name="Auth">Credentials.</param>
/// <param name="VectorField">Name of the vector field. Default <c>vector</c>.</param>
/// <param name="TextField">Name of the text field. Default <c>text</c>.</param>
/// <param name="MetricType">Metric of the vector index created for new collections: <c>L2</c> (default, like the Python connector), <c>IP</c> or <c>COSINE</c>. JSON key <c>metric_type</c>.</param>
internal sealed record IndexingConfig(
    string Host,
    string Db,
    string Collection,
    MilvusAuthConfig Auth,
    string VectorField,
    string TextField,
    string MetricType);

/// <summary>Milvus credentials, one variant per <c>auth.mode</c>.</summary>
internal abstract record MilvusAuthConfig
{
    /// <summary>The value of <c>mode</c> in the config JSON.</summary>
    public abstract string Mode { get; }

    /// <summary>The value of the HTTP <c>Authorization: Bearer</c> header, or null for no auth.</summary>
    public abstract string? BearerToken { get; }

    /// <summary>Secret values of this section, for scrubbing output.</summary>
    public virtual IEnumerable<string> Secrets => [];
}

/// <summary><c>mode: token</c>: an API key (Zilliz Cloud) sent as a bearer token.</summary>
internal sealed record TokenAuthConfig(string Token) : MilvusAuthConfig
{
    /// <inheritdoc />
    public override string Mode => "token";

    /// <inheritdoc />
    public override string? BearerToken => Token;

    /// <inheritdoc />
    public override IEnumerable<string> Secrets => [Token];
}

/// <summary><c>mode: username_password</c>: self-managed Milvus users, sent as bearer <c>user:password</c>.</summary>
internal sealed record UsernamePasswordAuthConfig(string Username, string Password) : MilvusAuthConfig
{
    /// <inheritdoc />
    public override string Mode => "username_password";

    /// <inheritdoc />
    public override string? BearerToken => Username + ":" + Password;

    /// <inheritdoc />
    public override IEnumerable<string> Secrets => [Password, Username + ":" + Password];
}

/// <summary><c>mode: no_auth</c>: local test clusters.</summary>
internal sealed record NoAuthConfig : MilvusAuthConfig
{
    /// <inheritdoc />
    public override string Mode => "no_auth";

    /// <inheritdoc />
    public override string? BearerToken => null;
}
