using System.Text;

namespace SuiteChecks;

/// <summary>The scanner itself, on files made for the purpose (run in the main suite).</summary>
public sealed class SecretScanTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("suitechecks-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Marker(string prefix)
    {
        var marker = $"{prefix}-{SecretPatterns.Tag}-{Guid.NewGuid():N}"[..(prefix.Length + SecretPatterns.Tag.Length + 14)];
        Directory.CreateDirectory(Path.Combine(_dir, SecretScan.RegistryFolder));
        File.AppendAllText(Path.Combine(_dir, SecretScan.RegistryFolder, "markers-1.txt"), marker + "\n");
        return marker;
    }

    private void Write(string name, string content) => File.WriteAllText(Path.Combine(_dir, name), content);

    [Fact]
    public void Clean_output_has_no_hits_and_the_registry_is_not_scanned()
    {
        Marker("sk");
        Write("a.stdout", "{\"type\":\"LOG\",\"log\":{\"level\":\"INFO\",\"message\":\"key **** rejected\"}}\n");
        Write("a.stderr", string.Empty);
        var result = SecretScan.Run(_dir, []);
        Assert.Equal(2, result.Files);
        Assert.Equal(1, result.Markers);
        Assert.Empty(result.Hits);
    }

    [Fact]
    public void The_tag_in_any_case_is_found_in_captured_files_and_extra_files()
    {
        var marker = Marker("pw");
        Write("b.stdout", "message: " + marker);
        var console = Path.Combine(Directory.CreateTempSubdirectory("suitechecks-console-").FullName, "console.log");
        File.WriteAllText(console, "leaked " + marker.ToLowerInvariant());
        try
        {
            var result = SecretScan.Run(_dir, [console]);
            Assert.Contains(result.Hits, h => h.File.EndsWith("b.stdout", StringComparison.Ordinal) && h.Pattern == "tag" && h.Offset == "message: ".Length + 3);
            Assert.Contains(result.Hits, h => h.File == console && h.Pattern == "tag (lower case)");
            Assert.All(result.Hits, h => Assert.DoesNotContain(marker, h.Pattern, StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(console)!, recursive: true);
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("u:")]
    [InlineData("root:")]
    [InlineData("alice:")]
    public void A_marker_inside_a_base64_basic_auth_header_is_found_at_every_alignment(string user)
    {
        var marker = Marker("pw");
        Write("c.stderr", "Authorization: Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(user + marker)) + "\n");
        var result = SecretScan.Run(_dir, []);
        Assert.NotEmpty(result.Hits);
        Assert.All(result.Hits, h => Assert.Contains("base64", h.Pattern, StringComparison.Ordinal));
    }

    [Fact]
    public void Url_safe_base64_is_found_too()
    {
        var marker = Marker("k");
        var encoded = Convert.ToBase64String(Encoding.UTF8.GetBytes("xy" + marker + "??>>")).Replace('+', '-').Replace('/', '_');
        Write("d.stdout", encoded);
        Assert.NotEmpty(SecretScan.Run(_dir, []).Hits);
    }

    [Fact]
    public void Base64_forms_only_keep_characters_that_depend_on_the_value_alone()
    {
        var forms = SecretPatterns.Base64Forms("t", "abcdefghijkl").ToList();
        foreach (var prefix in new[] { "", "Z", "ZZ", "\u00ff\u00fe", "123" })
        {
            var encoded = Convert.ToBase64String(Encoding.Latin1.GetBytes(prefix + "abcdefghijkl" + "~"));
            Assert.Contains(forms, f => encoded.Contains(Encoding.ASCII.GetString(f.Bytes), StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Missing_folders_scan_nothing()
    {
        var result = SecretScan.Run(Path.Combine(_dir, "absent"), [Path.Combine(_dir, "absent.log")]);
        Assert.Equal(0, result.Files);
        Assert.Equal(0, result.Bytes);
    }
}
