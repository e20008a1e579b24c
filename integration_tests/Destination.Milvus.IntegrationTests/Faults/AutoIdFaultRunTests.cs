namespace Destination.Milvus.IntegrationTests.Faults;

/// <summary>
/// The <see cref="FaultRunTests"/> run on a Python-style auto_id collection (delete-then-insert), in a class of its own
/// so that xunit runs it in parallel with the connector-schema run: each spends most of its time waiting out
/// injected latency and 429 Retry-After, so together they take about as long as the longer one.
/// </summary>
public sealed class AutoIdFaultRunTests
{
    [Fact]
    public async Task Python_style_auto_id_syncs_complete_under_faults_without_duplicating_retried_inserts() =>
        await FaultRunTests.RunAsync(autoId: true);
}
