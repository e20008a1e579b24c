using Destination.Milvus.Embedding;
using Destination.Milvus.Indexing;
using Destination.Milvus.Processing;
using Destination.Milvus.Protocol;

namespace Destination.Milvus.Tests.Protocol;

public class DestinationErrorsTests
{
    public static TheoryData<Exception, FailureType> Cases => new()
    {
        { new ProcessingConfigException("no text field"), FailureType.ConfigError },
        { new EmbeddingException(FailureType.ConfigError, "bad key"), FailureType.ConfigError },
        { new EmbeddingException(FailureType.TransientError, "rate limited"), FailureType.TransientError },
        { new EmbeddingException(FailureType.SystemError, "odd answer"), FailureType.SystemError },
        { new MilvusException("denied", MilvusErrorKind.Authentication), FailureType.ConfigError },
        { new MilvusException("no privilege", MilvusErrorKind.PermissionDenied), FailureType.ConfigError },
        { new MilvusException("no database", MilvusErrorKind.DatabaseNotFound), FailureType.ConfigError },
        { new MilvusException("no collection", MilvusErrorKind.CollectionNotFound), FailureType.ConfigError },
        { new MilvusException("wrong dim", MilvusErrorKind.IncompatibleCollection), FailureType.ConfigError },
        { new MilvusException("busy", MilvusErrorKind.Unavailable), FailureType.TransientError },
        { new MilvusException("slow down", MilvusErrorKind.RateLimited), FailureType.TransientError },
        { new MilvusException("silent", MilvusErrorKind.Timeout), FailureType.TransientError },
        { new MilvusException("refused", MilvusErrorKind.Connection), FailureType.TransientError },
        { new MilvusException("unknown host", MilvusErrorKind.Connection) { PermanentConnectionFailure = true }, FailureType.ConfigError },
        { new MilvusException("bad row", MilvusErrorKind.InvalidRequest), FailureType.SystemError },
        { new MilvusException("a proxy page", MilvusErrorKind.UnexpectedResponse), FailureType.SystemError },
        { new ConfigErrorException("bad catalog"), FailureType.ConfigError },
        { new InvalidOperationException("bug"), FailureType.SystemError },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Each_failure_reports_the_failure_type_of_who_must_act(Exception exception, FailureType expected)
    {
        var reported = DestinationErrors.From(exception);
        Assert.Equal(expected, reported.FailureType);
        Assert.Contains(exception.Message, reported.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_connectors_own_errors_are_reported_as_they_are_and_only_runtime_errors_are_wrapped()
    {
        var milvus = new MilvusException("busy", MilvusErrorKind.Unavailable);
        Assert.Same(milvus, DestinationErrors.From(milvus));
        var bug = new InvalidOperationException("bug");
        var wrapped = DestinationErrors.From(bug);
        Assert.IsType<SystemErrorException>(wrapped);
        Assert.Same(bug, wrapped.InnerException);
    }

    [Fact]
    public void Running_out_of_memory_says_what_to_change_instead_of_the_runtime_message()
    {
#pragma warning disable CA2201 // the runtime throws it; here it stands for what the runtime threw
        var oom = new OutOfMemoryException();
#pragma warning restore CA2201
        var mapped = DestinationErrors.From(oom);
        Assert.Equal(FailureType.SystemError, mapped.FailureType);
        Assert.StartsWith("The connector ran out of memory (", mapped.Message, StringComparison.Ordinal);
        Assert.Contains("raise the destination's memory limit", mapped.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(oom.Message, mapped.Message, StringComparison.Ordinal);
        Assert.Same(oom, mapped.InnerException);
    }
}
