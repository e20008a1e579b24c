using System.Globalization;
using EmbeddingTestServer;

// Usage: EmbeddingTestServer [--port N] [--latency-ms N] [--rpm N] [--tpm N] [--window-seconds N]
//        [--fail-500 RATE] [--fail-503 RATE] [--drop RATE] [--api-key KEY] [--seed N] [--dimensions N]
// Routes: POST /v1/embeddings (OpenAI), /openai/deployments/{d}/embeddings?api-version= (Azure), /v1/embed, /v2/embed (Cohere); GET /stats.
var options = new EmbeddingTestServerOptions();
for (var i = 0; i < args.Length; i++)
{
    string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
    double Number() => double.Parse(Next(), CultureInfo.InvariantCulture);
    options = args[i] switch
    {
        "--port" => options with { Port = (int)Number() },
        "--latency-ms" => options with { Latency = TimeSpan.FromMilliseconds(Number()) },
        "--rpm" => options with { RequestsPerWindow = (int)Number() },
        "--tpm" => options with { TokensPerWindow = (long)Number() },
        "--window-seconds" => options with { RateWindow = TimeSpan.FromSeconds(Number()) },
        "--fail-500" => options with { FailureRate500 = Number() },
        "--fail-503" => options with { FailureRate503 = Number() },
        "--drop" => options with { DropRate = Number() },
        "--api-key" => options with { RequiredApiKey = Next() },
        "--seed" => options with { Seed = (int)Number() },
        "--dimensions" => options with { DefaultDimensions = (int)Number() },
        _ => throw new ArgumentException($"Unknown option {args[i]}"),
    };
}

await using var host = await EmbeddingTestServerHost.StartAsync(options);
Console.WriteLine($"EmbeddingTestServer listening on {host.BaseUrl}");
var done = new TaskCompletionSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; done.TrySetResult(); };
AppDomain.CurrentDomain.ProcessExit += (_, _) => done.TrySetResult();
await done.Task;
return 0;
