using System.Globalization;
using Destination.Milvus.Protocol;

namespace Destination.Milvus.Writing;

/// <summary>
/// The only destructive step of a sync: after every record is written, delete the older generations of each truncating
/// stream that the <see cref="TruncationGate"/> allows, and log one WARN for each stream it does not (its new rows stay,
/// next to the old ones, until a successful sync replaces both: duplicates hurt a search less than gaps). Just before
/// each delete a LOG line is written and flushed to stdout: on a cancel or an abort the platform has closed the
/// connector's stdout before its stdin, so when that write fails nobody waits for this sync any more and nothing is
/// deleted. A cancelled token (a termination signal) stops it before the next delete.
/// </summary>
internal static class EndOfSyncTruncation
{
    /// <summary>
    /// Runs the step for <paramref name="plans"/>; <paramref name="deleteOlderGenerations"/> deletes one stream's rows
    /// older than its plan's generation.
    /// </summary>
    /// <exception cref="TransientErrorException">stdout is closed; nothing more was deleted.</exception>
    public static async Task RunAsync(
        IEnumerable<StreamWritePlan> plans,
        TruncationGate gate,
        MessageWriter output,
        Func<StreamWritePlan, CancellationToken, Task> deleteOlderGenerations,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plans);
        ArgumentNullException.ThrowIfNull(gate);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(deleteOlderGenerations);
        foreach (var plan in plans.Where(p => p.Truncate))
        {
            var stream = plan.Stream.Descriptor;
            var verdict = gate.Decide(stream);
            if (!verdict.Truncate)
            {
                output.Log(LogLevel.Warn,
                    $"Stream {stream}: rows of earlier syncs were kept, not deleted, because {verdict.Reason}. This sync's rows were written; "
                    + "old and new rows are both searchable until the next successful sync replaces the older ones.");
                continue;
            }

            cancellationToken.ThrowIfCancellationRequested();
            var generation = plan.Generation.ToString(CultureInfo.InvariantCulture);
            if (!output.TryLog(LogLevel.Info, $"Stream {stream}: deleting rows older than generation {generation}, because {verdict.Reason}."))
            {
                throw new TransientErrorException($"stdout was closed before the end-of-sync deletes (Airbyte closes it when it cancels or aborts a sync): the rows of earlier syncs of {stream} were kept.");
            }

            await deleteOlderGenerations(plan, cancellationToken).ConfigureAwait(false);
            output.Log(LogLevel.Info, $"Stream {stream}: rows older than generation {generation} deleted after all of this sync's records were written.");
        }
    }
}
