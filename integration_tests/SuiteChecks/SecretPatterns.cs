using System.Text;

namespace SuiteChecks;

/// <summary>One byte pattern the scan looks for, with a description that never contains the secret itself.</summary>
internal sealed record SecretPattern(string Description, byte[] Bytes);

/// <summary>
/// What a leak can look like in output: the marker tag in plain text (any case), and the Base64 forms (standard and
/// URL-safe alphabet) of the tag and of every registered marker at each of the three byte alignments, so that a
/// marker inside an encoded value such as a Basic auth header (<c>base64("user:" + password)</c>) is found too.
/// </summary>
internal static class SecretPatterns
{
    /// <summary>The text every test credential contains (Destination.Milvus.IntegrationTests.Suite.SecretMarker.Tag).</summary>
    public const string Tag = "SECRETMARKER";

    public static IReadOnlyList<SecretPattern> For(IReadOnlyList<string> markers)
    {
        var patterns = new List<SecretPattern>
        {
            new("tag", Encoding.ASCII.GetBytes(Tag)),
            new("tag (lower case)", Encoding.ASCII.GetBytes(Tag.ToLowerInvariant())),
        };
        patterns.AddRange(Base64Forms("tag", Tag));
        for (var i = 0; i < markers.Count; i++)
        {
            patterns.AddRange(Base64Forms($"marker #{i + 1}", markers[i]));
        }

        return patterns
            .Where(p => p.Bytes.Length >= 8)
            .DistinctBy(p => Convert.ToHexString(p.Bytes))
            .ToList();
    }

    /// <summary>
    /// The Base64 text that encodes <paramref name="value"/> wherever it starts in a longer byte string: for a shift
    /// of 0, 1 or 2 preceding bytes, only the characters that depend on <paramref name="value"/>'s bytes alone.
    /// </summary>
    public static IEnumerable<SecretPattern> Base64Forms(string name, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        for (var shift = 0; shift < 3; shift++)
        {
            var padded = new byte[shift + bytes.Length];
            bytes.CopyTo(padded, shift);
            var encoded = Convert.ToBase64String(padded);
            var skip = shift switch { 0 => 0, 1 => 2, _ => 3 };
            var end = padded.Length / 3 * 4; // drop the last, incomplete group: it depends on what follows
            if (end - skip < 8)
            {
                continue;
            }

            var core = encoded[skip..end];
            yield return new SecretPattern($"base64({name}) at alignment {shift}", Encoding.ASCII.GetBytes(core));
            var urlSafe = core.Replace('+', '-').Replace('/', '_');
            if (urlSafe != core)
            {
                yield return new SecretPattern($"base64url({name}) at alignment {shift}", Encoding.ASCII.GetBytes(urlSafe));
            }
        }
    }
}
