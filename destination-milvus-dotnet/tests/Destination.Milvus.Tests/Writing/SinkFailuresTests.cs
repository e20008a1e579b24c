using Destination.Milvus.Embedding;
using FailureType = Destination.Milvus.Protocol.FailureType;
using Destination.Milvus.Indexing;
using Destination.Milvus.Processing;
using Destination.Milvus.Protocol;
using Destination.Milvus.Writing;

namespace Destination.Milvus.Tests.Writing;

public class SinkFailuresTests
{
    public static TheoryData<Exception, FailureType> Cases => new()
    {
        { new ProcessingConfigException("no text field"), FailureType.ConfigError },
        { new EmbeddingException(Destination.Milvus.Embedding.FailureType.ConfigError, "bad key"), FailureType.ConfigError },
        { new EmbeddingException(Destination.Milvus.Embedding.FailureType.TransientError, "rate limited"), FailureType.TransientError },
        { new EmbeddingException(Destination.Milvus.Embedding.FailureType.SystemError, "odd answer"), FailureType.SystemError },
        { new MilvusException("denied", MilvusErrorKind.Authentication), FailureType.ConfigError },
        { new MilvusException("wrong dim", MilvusErrorKind.IncompatibleCollection), FailureType.ConfigError },
        { new MilvusException("busy", MilvusErrorKind.Unavailable), FailureType.TransientError },
        { new MilvusException("refused", MilvusErrorKind.Connection), FailureType.TransientError },
        { new MilvusException("unknown host", MilvusErrorKind.Connection) { PermanentConnectionFailure = true }, FailureType.ConfigError },
        { new MilvusException("bad row", MilvusErrorKind.InvalidRequest), FailureType.SystemError },
        { new InvalidOperationException("bug"), FailureType.SystemError },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Each_pipeline_failure_maps_to_the_failure_type_of_who_must_act(Exception exception, FailureType expected)
    {
        var mapped = SinkFailures.Map(exception);
        Assert.Equal(expected, mapped.FailureType);
        Assert.Contains(exception.Message, mapped.Message, StringComparison.Ordinal);
        Assert.Same(exception, mapped.InnerException);
    }

    [Fact]
    public void Running_out_of_memory_says_what_to_change_instead_of_the_runtime_message()
    {
#pragma warning disable CA2201 // the runtime throws it; here it stands for what the runtime threw
        var oom = new OutOfMemoryException();
#pragma warning restore CA2201
        var mapped = SinkFailures.Map(oom);
        Assert.Equal(FailureType.SystemError, mapped.FailureType);
        Assert.StartsWith("The connector ran out of memory (", mapped.Message, StringComparison.Ordinal);
        Assert.Contains("raise the destination's memory limit", mapped.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(oom.Message, mapped.Message, StringComparison.Ordinal);
        Assert.Same(oom, mapped.InnerException);
    }
}
