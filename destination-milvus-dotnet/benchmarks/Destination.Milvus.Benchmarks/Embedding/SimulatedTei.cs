using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Destination.Milvus.Tests.TestSupport;

namespace Destination.Milvus.Benchmarks.Embedding;

/// <summary>
/// Text Embeddings Inference on a CPU, in simulated time: an <see cref="HttpMessageHandler"/> that answers the
/// connector's real HTTP requests as TEI does (422 "batch size N &gt; maximum allowed batch size 32" at once, before
/// inference), and computes an accepted request on one worker for <see cref="PerRequest"/> plus
/// <see cref="PerToken"/> per token of the request, as a timer of a <see cref="FakeClock"/>. The connector runs
/// unchanged on the same clock (EmbedderFactoryOptions.Time and HttpClient), so the time to embed is the server's
/// latency model summed as the requests arrive, whatever this machine's load: the same requests give the same
/// figure on a quiet machine and on one with a load average of 50. FakeTimeProvider's timers count whole
/// milliseconds, so the clock runs <see cref="Scale"/> times slower than the model (one fake millisecond is one
/// modelled microsecond): a computation of 25.6 ms would otherwise end at 25 ms.
/// </summary>
internal sealed class SimulatedTei(FakeClock clock, int maxBatch, TimeSpan perRequest, TimeSpan perToken, int dimensions) : HttpMessageHandler
{
    private readonly SemaphoreSlim _worker = new(1);
    private readonly Lock _gate = new();
    private TimeSpan _busy;

    /// <summary>Fake time per modelled time.</summary>
    public const int Scale = 1000;

    public TimeSpan PerRequest => perRequest;

    public TimeSpan PerToken => perToken;

    /// <summary>Requests answered 200 and 422.</summary>
    public int Accepted { get; private set; }

    public int Refused { get; private set; }

    /// <summary>Modelled time the worker spent computing.</summary>
    public TimeSpan Busy
    {
        get
        {
            lock (_gate)
            {
                return _busy;
            }
        }
    }

    /// <summary>The server's tokens of <paramref name="text"/>: one per 4 characters, as the embedding test server counts.</summary>
    public static int Tokens(string text) => Math.Max(1, (text.Length + 3) / 4);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        // An answer, even a refusal, comes back later than the request left, as over a socket: batches the connector
        // cut meanwhile queue for their slot before it learns anything.
        await Task.Yield();
        using var body = JsonDocument.Parse(await request.Content!.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
        var inputs = body.RootElement.GetProperty("input").EnumerateArray().Select(e => e.GetString()!).ToList();
        if (inputs.Count > maxBatch)
        {
            lock (_gate)
            {
                Refused++;
            }

            var message = string.Create(CultureInfo.InvariantCulture, $"batch size {inputs.Count} > maximum allowed batch size {maxBatch}");
            return Json(HttpStatusCode.UnprocessableEntity, JsonSerializer.Serialize(new Dictionary<string, object> { ["message"] = message, ["code"] = 422, ["type"] = "validation" }));
        }

        var compute = perRequest + (perToken * inputs.Sum(Tokens));
        await _worker.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await Task.Delay(compute * Scale, clock, cancellationToken).ConfigureAwait(false);
            lock (_gate)
            {
                _busy += compute;
                Accepted++;
            }
        }
        finally
        {
            _worker.Release();
        }

        var json = new StringBuilder("{\"object\":\"list\",\"data\":[");
        var vector = string.Join(',', Enumerable.Repeat("0.5", dimensions));
        for (var i = 0; i < inputs.Count; i++)
        {
            json.Append(i == 0 ? "" : ",").Append(CultureInfo.InvariantCulture, $"{{\"object\":\"embedding\",\"index\":{i},\"embedding\":[{vector}]}}");
        }

        return Json(HttpStatusCode.OK, json.Append("]}").ToString());
    }

    /// <summary>
    /// Runs <paramref name="task"/> to its end on <paramref name="clock"/>: whenever the connector and this server wait,
    /// the clock moves to the next timer due within <paramref name="horizon"/> (the server's computations; the
    /// connector's attempt timeouts must lie beyond it). With one worker at most one computation is pending, so a
    /// request that has not reached the worker yet is waited for, never overtaken.
    /// </summary>
    public static async Task<T> RunAsync<T>(FakeClock clock, Task<T> task, TimeSpan horizon)
    {
        while (!task.IsCompleted)
        {
            await Task.Delay(1).ConfigureAwait(false);
            var now = clock.GetUtcNow();
            if (!task.IsCompleted && clock.NextDue() is { } due && due - now <= horizon)
            {
                clock.Advance(due - now);
            }
        }

        return await task.ConfigureAwait(false);
    }

    private static HttpResponseMessage Json(HttpStatusCode status, string json) =>
        new(status) { Content = new StringContent(json, Encoding.UTF8, "application/json") };

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _worker.Dispose();
        }

        base.Dispose(disposing);
    }
}
