using Destination.Milvus.Embedding;
using Destination.Milvus.Indexing;
using Destination.Milvus.Processing;
using Destination.Milvus.Protocol;

namespace Destination.Milvus.Tests.Protocol;

public class DestinationErrorsTests
{
    public static TheoryData<Exception, string> Cases => new()
    {
        { new ProcessingConfigException("no text field"), nameof(FailureType.ConfigError) },
        { new EmbeddingException(FailureType.ConfigError, "bad key"), nameof(FailureType.ConfigError) },
        { new EmbeddingException(FailureType.TransientError, "rate limited"), nameof(FailureType.TransientError) },
        { new EmbeddingException(FailureType.SystemError, "odd answer"), nameof(FailureType.SystemError) },
        { new MilvusException("denied", MilvusErrorKind.Authentication), nameof(FailureType.ConfigError) },
        { new MilvusException("no privilege", MilvusErrorKind.PermissionDenied), nameof(FailureType.ConfigError) },
        { new MilvusException("no database", MilvusErrorKind.DatabaseNotFound), nameof(FailureType.ConfigError) },
        { new MilvusException("no collection", MilvusErrorKind.CollectionNotFound), nameof(FailureType.ConfigError) },
        { new MilvusException("wrong dim", MilvusErrorKind.IncompatibleCollection), nameof(FailureType.ConfigError) },
        { new MilvusException("busy", MilvusErrorKind.Unavailable), nameof(FailureType.TransientError) },
        { new MilvusException("slow down", MilvusErrorKind.RateLimited), nameof(FailureType.TransientError) },
        { new MilvusException("silent", MilvusErrorKind.Timeout), nameof(FailureType.TransientError) },
        { new MilvusException("refused", MilvusErrorKind.Connection), nameof(FailureType.TransientError) },
        { new MilvusException("unknown host", MilvusErrorKind.Connection) { PermanentConnectionFailure = true }, nameof(FailureType.ConfigError) },
        { new MilvusException("bad row", MilvusErrorKind.InvalidRequest), nameof(FailureType.SystemError) },
        { new MilvusException("a proxy page", MilvusErrorKind.UnexpectedResponse), nameof(FailureType.SystemError) },
        { new ConfigErrorException("bad catalog"), nameof(FailureType.ConfigError) },
        { new InvalidOperationException("bug"), nameof(FailureType.SystemError) },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Each_failure_reports_the_failure_type_of_who_must_act(Exception exception, string expected)
    {
        var reported = DestinationErrors.From(exception);
        Assert.Equal(Enum.Parse<FailureType>(expected), reported.FailureType);
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
