namespace Destination.Milvus.Indexing;

/// <summary>
/// What Milvus accepts as a collection or field name and as a vector dimension (<c>internal/proxy/util.go</c>:
/// <c>validateCollectionNameOrAlias</c>, <c>validateFieldName</c>, <c>validateDimension</c>), so <c>check</c> can refuse
/// a setting before <c>write</c> fails on it.
/// </summary>
internal static class MilvusNames
{
    /// <summary>The longest name Milvus accepts (<c>proxy.maxNameLength</c>).</summary>
    public const int MaxLength = 255;

    /// <summary>The smallest float-vector dimension Milvus creates.</summary>
    public const int MinDimension = 2;

    /// <summary>The largest float-vector dimension Milvus creates (<c>proxy.maxDimension</c>).</summary>
    public const int MaxDimension = 32768;

    /// <summary>
    /// Null when <paramref name="name"/> is a valid Milvus name (a letter or underscore, then letters, digits and
    /// underscores, at most 255), else one sentence naming it as <paramref name="what"/>. Empty names are reported elsewhere.
    /// </summary>
    public static string? Problem(string? name, string what)
    {
        if (string.IsNullOrEmpty(name) || IsValid(name))
        {
            return null;
        }

        return $"The {what} '{name}' is not valid in Milvus: it must start with a letter or an underscore and contain only letters, digits and underscores (at most {MaxLength} characters).";
    }

    private static bool IsValid(string name)
    {
        if (name.Length > MaxLength || !(name[0] == '_' || char.IsAsciiLetter(name[0])))
        {
            return false;
        }

        foreach (var c in name.AsSpan(1))
        {
            if (c != '_' && !char.IsAsciiLetterOrDigit(c))
            {
                return false;
            }
        }

        return true;
    }
}
