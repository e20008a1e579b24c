namespace Destination.Milvus.IntegrationTests.Suite;

/// <summary>The capture that feeds the after-suite secret scan also covers runs that time out, and registers markers.</summary>
public sealed class SuiteCaptureTests
{
    [Fact]
    public async Task A_connector_run_that_times_out_is_still_captured()
    {
        Assert.SkipWhen(SuiteOutput.FolderPath is null, $"{SuiteOutput.Variable} is not set (test.sh sets it).");
        var before = Directory.Exists(SuiteOutput.FolderPath) ? Directory.GetFiles(SuiteOutput.FolderPath!, "timeout_check-*.stdout").Length : 0;
        using var files = new TempFiles();
        var config = files.Write("config.json", """{"embedding":{"mode":"fake"},"processing":{"chunk_size":10},"indexing":{"host":"http://127.0.0.1:1","collection":"c","auth":{"mode":"no_auth"}}}""");
        await Assert.ThrowsAsync<TimeoutException>(() => ConnectorProcess.RunAsync(["check", "--config", config], timeout: TimeSpan.FromMilliseconds(1)));
        Assert.Equal(before + 1, Directory.GetFiles(SuiteOutput.FolderPath!, "timeout_check-*.stdout").Length);
    }

    [Fact]
    public void New_markers_are_unique_carry_the_tag_and_are_registered_for_the_scan()
    {
        var a = SecretMarker.New("sk");
        var b = SecretMarker.New("sk");
        Assert.NotEqual(a, b);
        Assert.StartsWith("sk-" + SecretMarker.Tag + "-", a, StringComparison.Ordinal);
        Assert.Equal("sk".Length + SecretMarker.Tag.Length + 14, a.Length);
        Assert.SkipWhen(SuiteOutput.FolderPath is null, $"{SuiteOutput.Variable} is not set (test.sh sets it).");
        var registered = Directory.GetFiles(Path.Combine(SuiteOutput.FolderPath!, SecretMarker.RegistryFolder)).SelectMany(File.ReadAllLines).ToHashSet();
        Assert.Contains(a, registered);
        Assert.Contains(b, registered);
    }
}
