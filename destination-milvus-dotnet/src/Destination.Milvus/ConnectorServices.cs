using Destination.Milvus.Writing;

namespace Destination.Milvus;

/// <summary>
/// The parts the commands are composed of: where the embedder and Milvus checks plug into <c>check</c>, and which
/// sink <c>write</c> feeds. <see cref="Default"/> is what the executable uses; tests pass their own.
/// </summary>
/// <param name="CheckSteps">Steps run by <c>check</c> after config validation, in order; all of them always run.</param>
/// <param name="CreateSink">Builds the sink of <c>write</c> once config and catalog are known.</param>
public sealed record ConnectorServices(
    IReadOnlyList<ICheckStep> CheckSteps,
    Func<SinkContext, IRecordSink> CreateSink)
{
    /// <summary>
    /// True on Airbyte Cloud (<c>DEPLOYMENT_MODE</c> or <c>AIRBYTE_EDITION</c> is <c>cloud</c>): <c>write</c> then refuses, with a config_error TRACE, what
    /// <c>check</c> refuses there (see <see cref="TransportSecurity.CloudProblems"/>), so a config that skipped
    /// "Test connection" cannot send data over plain HTTP either.
    /// </summary>
    public bool CloudDeployment { get; init; }

    /// <summary>Reads an environment variable (the data channel guard); tests pass their own.</summary>
    public Func<string, string?> Environment { get; init; } = System.Environment.GetEnvironmentVariable;

    /// <summary>
    /// The production composition. Check: one real embedding call, then the read-only Milvus check (both honour
    /// Airbyte Cloud, see <see cref="DeploymentMode"/>). Write: the Milvus pipeline (<see cref="MilvusRecordSink"/>).
    /// </summary>
    public static ConnectorServices Default { get; } = new(
        [new EmbeddingCheckStep(Embedding.EmbedderFactoryOptions.FromEnvironment(), cloudDeployment: DeploymentMode.IsCloudProcess), new MilvusCheckStep(cloudDeployment: DeploymentMode.IsCloudProcess)],
        context => new MilvusRecordSink(context, MilvusSinkOptions.FromEnvironment()))
    {
        CloudDeployment = DeploymentMode.IsCloudProcess,
    };
}
