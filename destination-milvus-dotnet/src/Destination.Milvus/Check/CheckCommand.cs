using System.Text.Json;
using Destination.Milvus.Configuration;
using Destination.Milvus.Protocol;

namespace Destination.Milvus.Check;

/// <summary>
/// <c>check</c>: validates the config, then runs every <see cref="ICheckStep"/>, and answers with exactly one
/// CONNECTION_STATUS: SUCCEEDED, or FAILED with every problem, one per line. Never throws for a bad config.
/// </summary>
internal sealed class CheckCommand
{
    private readonly MessageWriter _output;
    private readonly IReadOnlyList<ICheckStep> _steps;

    /// <summary>Creates the command with its steps.</summary>
    public CheckCommand(MessageWriter output, IReadOnlyList<ICheckStep> steps)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(steps);
        _output = output;
        _steps = steps;
    }

    /// <summary>Runs the check on the raw config JSON and writes the status.</summary>
    public async Task RunAsync(JsonElement rawConfig, CancellationToken cancellationToken)
    {
        var result = ConfigParser.Parse(rawConfig);
        if (result.Config is not { } config)
        {
            _output.ConnectionStatus(false, result.Message);
            return;
        }

        foreach (var warning in TransportSecurity.PlainHttpWarnings(config))
        {
            _output.Log(LogLevel.Warn, warning);
        }

        var problems = new List<string>();
        foreach (var step in _steps)
        {
            try
            {
                var stepResult = await step.RunAsync(config, cancellationToken).ConfigureAwait(false);
                foreach (var note in stepResult.Notes)
                {
                    _output.Log(LogLevel.Info, note);
                }

                foreach (var warning in stepResult.Warnings)
                {
                    _output.Log(LogLevel.Warn, warning);
                }

                problems.AddRange(stepResult.Problems);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (DestinationException e)
            {
                problems.Add($"{step.Name} check failed: {e.Message}");
            }
#pragma warning disable CA1031 // A failing step must not hide the others; it becomes one problem sentence.
            catch (Exception e)
#pragma warning restore CA1031
            {
                problems.Add($"{step.Name} check failed unexpectedly: {e.GetType().Name}: {e.Message}");
            }
        }

        _output.ConnectionStatus(problems.Count == 0, problems.Count == 0 ? null : string.Join("\n", problems));
    }
}
