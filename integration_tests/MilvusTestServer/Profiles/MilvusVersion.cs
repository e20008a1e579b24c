using System.Globalization;

namespace MilvusTestServer.Profiles;

/// <summary>A Milvus release number (<c>2.6.18</c>); ordered, so behaviours can be dated by the release that changed them.</summary>
public readonly record struct MilvusVersion(int Major, int Minor, int Patch) : IComparable<MilvusVersion>
{
    public static bool operator <(MilvusVersion a, MilvusVersion b) => a.CompareTo(b) < 0;

    public static bool operator >(MilvusVersion a, MilvusVersion b) => a.CompareTo(b) > 0;

    public static bool operator <=(MilvusVersion a, MilvusVersion b) => a.CompareTo(b) <= 0;

    public static bool operator >=(MilvusVersion a, MilvusVersion b) => a.CompareTo(b) >= 0;

    /// <summary>Parses <c>2.6.18</c> (a leading <c>v</c> is allowed).</summary>
    public static bool TryParse(string text, out MilvusVersion version)
    {
        version = default;
        var parts = (text ?? string.Empty).TrimStart('v').Split('.');
        if (parts.Length != 3 || !parts.All(p => p.Length > 0 && p.All(char.IsAsciiDigit)))
        {
            return false;
        }

        version = new MilvusVersion(
            int.Parse(parts[0], CultureInfo.InvariantCulture),
            int.Parse(parts[1], CultureInfo.InvariantCulture),
            int.Parse(parts[2], CultureInfo.InvariantCulture));
        return true;
    }

    public int CompareTo(MilvusVersion other) =>
        Major != other.Major ? Major.CompareTo(other.Major) : Minor != other.Minor ? Minor.CompareTo(other.Minor) : Patch.CompareTo(other.Patch);

    public override string ToString() => $"{Major}.{Minor}.{Patch}";
}
