using MilvusTestServer.Profiles;
using MilvusTestServer.Store;

namespace MilvusTestServer.Endpoints;

/// <summary>
/// F5: the proxy's checks of names and dimensions (<c>internal/proxy/util.go</c>): collection names at <c>has</c> and
/// <c>create</c> (code 1100), field names at <c>create</c> (code 1701, <c>ErrFieldInvalidName</c>), and a vector
/// dimension of 2 to 32768.
/// </summary>
internal static class SchemaRules
{
    /// <summary><c>proxy.maxNameLength</c>.</summary>
    public const int MaxNameLength = 255;

    /// <summary><c>proxy.maxDimension</c>.</summary>
    public const int MaxDimension = 32768;

    /// <summary><c>validateCollectionNameOrAlias</c>: a letter or underscore first, then letters, digits and underscores, at most 255.</summary>
    public static void CheckCollectionName(string name)
    {
        var invalid = $"Invalid collection name: {name}. ";
        if (name.Length > MaxNameLength)
        {
            throw new MilvusApiException(1100, $"{invalid} the length of a collection name must be less than {MaxNameLength} characters: invalid parameter");
        }

        if (!IsLetterOrUnderscore(name[0]))
        {
            throw new MilvusApiException(1100, $"{invalid} the first character of a collection name must be an underscore or letter: invalid parameter");
        }

        if (!AllNameCharacters(name.AsSpan(1)))
        {
            throw new MilvusApiException(1100, $"{invalid} collection name can only contain numbers, letters and underscores: invalid parameter");
        }
    }

    /// <summary><c>validateFieldName</c>: the same rules, refused with <c>ErrFieldInvalidName</c>.</summary>
    public static void CheckFieldName(string name)
    {
        var problem = name.Length > MaxNameLength ? $"The length of a field name must be less than {MaxNameLength} characters."
            : !IsLetterOrUnderscore(name[0]) ? "The first character of a field name must be an underscore or letter."
            : !AllNameCharacters(name.AsSpan(1)) ? "Field name can only contain numbers, letters, and underscores."
            : null;
        if (problem is not null)
        {
            throw new MilvusApiException(1701, $"Invalid field name: {name}. {problem}: field name invalid[field={name}]");
        }
    }

    /// <summary><c>validateDimension</c>: 2 to 32768 for a float vector; 2.4 answers it as a plain error (65535).</summary>
    public static void CheckDimension(FieldSchema field, MilvusProfile profile)
    {
        var suffix = profile.DimensionErrorCode == 1100 ? ": invalid parameter" : string.Empty;
        if (field.Dimension is <= 1)
        {
            throw new MilvusApiException(profile.DimensionErrorCode, $"invalid dimension: {field.Dimension}. should be in range 2 ~ {MaxDimension}{suffix}");
        }

        if (field.Dimension > MaxDimension)
        {
            throw new MilvusApiException(profile.DimensionErrorCode, $"invalid dimension: {field.Dimension} of field {field.Name}. float vector dimension should be in range 2 ~ {MaxDimension}{suffix}");
        }
    }

    private static bool IsLetterOrUnderscore(char c) => c == '_' || char.IsAsciiLetter(c);

    private static bool AllNameCharacters(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (c != '_' && !char.IsAsciiLetterOrDigit(c))
            {
                return false;
            }
        }

        return true;
    }
}
