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

    [Fact]
    public void A_short_key_is_masked_as_a_word_but_not_inside_other_words()
    {
        var scrubber = new SecretScrubber(["k"]);
        Assert.Equal(
            "Summary: 120 record(s), 3 chunk(s) of 6011 token(s); key=****, Bearer ****.",
            scrubber.Scrub("Summary: 120 record(s), 3 chunk(s) of 6011 token(s); key=k, Bearer k."));
    }

    [Fact]
    public void A_short_password_inside_a_url_is_still_masked()
    {
        Assert.Equal("http://root:****@milvus:19530", new SecretScrubber(["pw1"]).Scrub("http://root:pw1@milvus:19530"));
    }

    [Theory]
    [InlineData("EMPTY")]
    [InlineData("ollama")]
    [InlineData("sk-no-key-required")]
    public void Documented_placeholder_keys_are_not_secrets_and_leave_text_alone(string placeholder)
    {
        var scrubber = new SecretScrubber([placeholder]);
        var text = $"Embedding with ollama at http://ollama:11434/v1/embeddings; EMPTY batches: 0; key {placeholder}.";
        Assert.Equal(text, scrubber.Scrub(text));
        Assert.False(scrubber.HasSecrets);
    }

    [Fact]
    public void Long_secrets_are_masked_even_inside_other_text()
    {
        Assert.Equal("token=****xyz", new SecretScrubber(["sk-abcdefgh"]).Scrub("token=sk-abcdefghxyz"));
    }

    [Fact]
    public void Quoted_server_text_is_scrubbed_flattened_and_cut()
    {
        var scrubber = new SecretScrubber(["sk-abcdefgh"]);
        Assert.Equal("bad key **** next line", scrubber.ScrubForQuote(" bad key sk-abcdefgh\nnext line\n", 100));
        Assert.Equal("abc...", scrubber.ScrubForQuote("abcdef", 3));
    }
}
