namespace Destination.Milvus.Configuration;

/// <summary>
/// The outcome of reading a config: the built <see cref="Config"/> when it is valid, otherwise every problem found,
/// each a sentence <c>json.path: what is wrong</c>, in the order of the spec.
/// </summary>
/// <param name="Config">The config, or null when <paramref name="Problems"/> is not empty.</param>
/// <param name="Problems">Every problem found; empty when valid.</param>
internal sealed record ConfigValidationResult(DestinationConfig? Config, IReadOnlyList<string> Problems)
{
    /// <summary>Whether the config is valid.</summary>
    public bool IsValid => Config is not null;

    /// <summary>All problems in one message, one per line (the text of a FAILED check or a config_error).</summary>
    public string Message => string.Join("\n", Problems);
}
