using Destination.Milvus.Configuration;

namespace Destination.Milvus.Check;

/// <summary>
/// One part of <c>check</c> after the config is valid: the embedder check, the Milvus check, ... Each step returns
/// problem sentences instead of throwing, so that every step runs and the user sees all problems in one FAILED
/// message (as the Python connector does). A step that throws anyway is reported as one problem.
/// </summary>
internal interface ICheckStep
{
    /// <summary>Short name used when the step fails unexpectedly, e.g. <c>Embedding</c> or <c>Milvus</c>.</summary>
    string Name { get; }

    /// <summary>
    /// Runs the check; returns the problems found (empty when everything is fine) and notes that are not problems
    /// (check logs them as INFO, e.g. "write will create the collection").
    /// </summary>
    Task<CheckStepResult> RunAsync(DestinationConfig config, CancellationToken cancellationToken);
}
