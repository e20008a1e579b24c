namespace Destination.Milvus.Check;

/// <summary>What one <see cref="ICheckStep"/> found: problems make check FAILED, notes and warnings are only logged.</summary>
/// <param name="Problems">Plain sentences, one per problem; empty when the step passed.</param>
/// <param name="Notes">Informational sentences logged as INFO.</param>
internal sealed record CheckStepResult(IReadOnlyList<string> Problems, IReadOnlyList<string> Notes)
{
    /// <summary>Sentences logged as WARN: the settings work but may not do what the user expects.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];
}
