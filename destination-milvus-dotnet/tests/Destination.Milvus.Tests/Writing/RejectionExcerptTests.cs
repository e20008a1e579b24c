using Destination.Milvus.Writing;

namespace Destination.Milvus.Tests.Writing;

/// <summary>Rejection messages quote stream names; a hostile name must not make a megabyte log line or broken text.</summary>
public class RejectionExcerptTests
{
    [Fact]
    public void Short_names_are_quoted_whole()
    {
        Assert.Equal("'a.b c é'", WriteCommand.Excerpt("'a.b c é'"));
    }

    [Fact]
    public void Long_names_are_cut_and_their_length_given()
    {
        var name = new string('n', 1_000_000);
        Assert.Equal(new string('n', WriteCommand.MaxQuotedLength) + "... (1000000 characters)", WriteCommand.Excerpt(name));
    }

    [Fact]
    public void A_surrogate_pair_at_the_cut_is_never_split()
    {
        var name = new string('n', WriteCommand.MaxQuotedLength - 1) + "😀" + new string('m', 50);
        var excerpt = WriteCommand.Excerpt(name);
        Assert.Equal(new string('n', WriteCommand.MaxQuotedLength - 1) + $"... ({name.Length} characters)", excerpt);
        Assert.DoesNotContain(excerpt, char.IsSurrogate);
    }
}
