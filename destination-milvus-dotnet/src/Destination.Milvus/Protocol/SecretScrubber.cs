namespace Destination.Milvus.Protocol;

/// <summary>
/// Replaces every known secret value (API keys, passwords) with <c>****</c> in text bound for stdout, so that no
/// message, log or error can leak them, whatever code produced the text.
/// </summary>
public sealed class SecretScrubber
{
    /// <summary>The replacement of a secret.</summary>
    public const string Mask = "****";

    private readonly string[] _secrets;

    /// <summary>Creates a scrubber for these secrets; empty values are ignored; longer secrets are replaced first.</summary>
    public SecretScrubber(IEnumerable<string> secrets)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        _secrets = secrets.Where(s => !string.IsNullOrEmpty(s)).Distinct(StringComparer.Ordinal)
            .OrderByDescending(s => s.Length).ToArray();
    }

    /// <summary>A scrubber that knows no secret yet (before the config is read).</summary>
    public static SecretScrubber None { get; } = new([]);

    /// <summary>Whether any secret is known.</summary>
    public bool HasSecrets => _secrets.Length > 0;

    /// <summary>Returns <paramref name="text"/> with every secret replaced by <see cref="Mask"/>.</summary>
    public string Scrub(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (var secret in _secrets)
        {
            if (text.Contains(secret, StringComparison.Ordinal))
            {
                text = text.Replace(secret, Mask, StringComparison.Ordinal);
            }
        }

        return text;
    }
}
