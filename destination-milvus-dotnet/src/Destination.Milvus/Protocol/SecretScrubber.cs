using System.Text;

namespace Destination.Milvus.Protocol;

/// <summary>
/// Replaces every known secret value (API keys, passwords) with <c>****</c> in text bound for stdout, so that no
/// message, log or error can leak them, whatever code produced the text. The one scrubber of the connector: protocol
/// output, provider error messages and Milvus error messages all go through it.
/// <para>
/// Short values are a problem of their own. Self-hosted embedding servers tell users to put any word in the key field
/// (<c>EMPTY</c> for vLLM, <c>ollama</c>, <c>sk-no-key-required</c> for llama.cpp), and a key <c>k</c> masked
/// wherever the letter occurs turned a summary into "chun****(s) of 6011 to****en(s)". So a secret of at least
/// <see cref="SubstringLength"/> characters is masked wherever it occurs; a shorter one only where it stands as a
/// word of its own (not touching a letter or digit on either side), which still hides it in
/// <c>key=k</c> or <c>user:pass@host</c>; and the placeholders such servers document (<see cref="IsPublicPlaceholder"/>)
/// are not secrets at all and are left alone.
/// </para>
/// </summary>
internal sealed class SecretScrubber
{
    /// <summary>The replacement of a secret.</summary>
    public const string Mask = "****";

    /// <summary>Secrets at least this long are masked wherever they occur, even inside a word.</summary>
    public const int SubstringLength = 8;

    /// <summary>
    /// Values that servers and tools document as "any string works" (or as their public default), compared without
    /// case: masking them hides nothing and mangles every line that happens to contain the word.
    /// </summary>
    private static readonly HashSet<string> PublicPlaceholders = new(StringComparer.OrdinalIgnoreCase)
    {
        "EMPTY", "ollama", "lm-studio", "sk-no-key-required", "no-key", "none", "null", "dummy", "not-needed",
        "Milvus", // Milvus's documented default root password (the token form "root:Milvus" is still masked).
    };

    private readonly string[] _anywhere;
    private readonly string[] _wordOnly;

    /// <summary>Creates a scrubber for these secrets; empty values and public placeholders are ignored; longer secrets are replaced first.</summary>
    public SecretScrubber(IEnumerable<string?> secrets)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        var distinct = secrets.Where(s => !string.IsNullOrEmpty(s) && !IsPublicPlaceholder(s)).Select(s => s!)
            .Distinct(StringComparer.Ordinal).OrderByDescending(s => s.Length).ToArray();
        _anywhere = [.. distinct.Where(s => s.Length >= SubstringLength)];
        _wordOnly = [.. distinct.Where(s => s.Length < SubstringLength)];
    }

    /// <summary>A scrubber that knows no secret yet (before the config is read).</summary>
    public static SecretScrubber None { get; } = new([]);

    /// <summary>Whether any secret is known.</summary>
    public bool HasSecrets => _anywhere.Length + _wordOnly.Length > 0;

    /// <summary>True for a value documented as a placeholder rather than a secret (see the class summary).</summary>
    public static bool IsPublicPlaceholder(string value) => PublicPlaceholders.Contains(value?.Trim() ?? string.Empty);

    /// <summary>Returns <paramref name="text"/> with every secret replaced by <see cref="Mask"/>.</summary>
    public string Scrub(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (var secret in _anywhere)
        {
            if (text.Contains(secret, StringComparison.Ordinal))
            {
                text = text.Replace(secret, Mask, StringComparison.Ordinal);
            }
        }

        foreach (var secret in _wordOnly)
        {
            text = ReplaceWords(text, secret);
        }

        return text;
    }

    /// <summary>Returns <paramref name="text"/> shortened to <paramref name="maxLength"/> characters on one line after scrubbing, for quoting server answers.</summary>
    public string ScrubForQuote(string text, int maxLength)
    {
        var scrubbed = Scrub(text).ReplaceLineEndings(" ").Trim();
        return scrubbed.Length > maxLength ? scrubbed[..maxLength] + "..." : scrubbed;
    }

    private static string ReplaceWords(string text, string secret)
    {
        var found = text.IndexOf(secret, StringComparison.Ordinal);
        if (found < 0)
        {
            return text;
        }

        StringBuilder? builder = null;
        var copied = 0;
        while (found >= 0)
        {
            var end = found + secret.Length;
            if ((!IsWordChar(text, found - 1) && !IsWordChar(text, end)) || (!IsWordChar(secret, 0) && !IsWordChar(secret, secret.Length - 1)))
            {
                builder ??= new StringBuilder(text.Length);
                builder.Append(text, copied, found - copied).Append(Mask);
                copied = end;
                found = text.IndexOf(secret, end, StringComparison.Ordinal);
            }
            else
            {
                found = text.IndexOf(secret, found + 1, StringComparison.Ordinal);
            }
        }

        return builder is null ? text : builder.Append(text, copied, text.Length - copied).ToString();
    }

    private static bool IsWordChar(string text, int index) => index >= 0 && index < text.Length && char.IsLetterOrDigit(text[index]);
}
