namespace Destination.Milvus;

/// <summary>What one <see cref="ICheckStep"/> found: problems make check FAILED, notes are only logged.</summary>
/// <param name="Problems">Plain sentences, one per problem; empty when the step passed.</param>
/// <param name="Notes">Informational sentences logged as INFO.</param>
public sealed record CheckStepResult(IReadOnlyList<string> Problems, IReadOnlyList<string> Notes);
