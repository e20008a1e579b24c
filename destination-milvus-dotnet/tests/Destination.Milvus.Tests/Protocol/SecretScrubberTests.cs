using Destination.Milvus.Protocol;

namespace Destination.Milvus.Tests.Protocol;

public class SecretScrubberTests
{
    [Fact]
    public void Every_occurrence_of_every_secret_is_masked_longest_first()
    {
        var scrubber = new SecretScrubber(["pass", "user:pass", "", "key-1"]);
        Assert.Equal("auth ****, again ****, key **** and ****", scrubber.Scrub("auth user:pass, again pass, key key-1 and key-1"));
    }

    [Fact]
    public void Without_secrets_text_is_unchanged()
    {
        Assert.False(SecretScrubber.None.HasSecrets);
        Assert.Equal("plain", SecretScrubber.None.Scrub("plain"));
    }
}
