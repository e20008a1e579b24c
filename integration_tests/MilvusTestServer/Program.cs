using System.Globalization;
using MilvusTestServer;
using MilvusTestServer.Profiles;

// Standalone Milvus test server: dotnet run --project integration_tests/MilvusTestServer -- --port 19530
// Flags: --profile NAME (a release from 2.4.0 on, e.g. 2.4.12 | 2.5.11 | 2.5.12 | 2.6.18 (default), master,
//        zilliz-serverless, zilliz-free; the MILVUS_TEST_PROFILE environment variable when absent),
//        --port N (0 = free port), --bind ADDR, --token KEY (repeatable), --user NAME:PASSWORD (repeatable),
//        --database NAME (repeatable), --staleness-ms N, --load-ms N, --latency-ms N, --seed N,
//        --write-rate BYTES_PER_SECOND, --delete-rate BYTES_PER_SECOND (the limiter, as on a Zilliz plan),
//        --fault ENDPOINT:RATE:KIND[:CODE] (KIND = 503 | milvus | drop | drop-after-apply; ENDPOINT like entities/insert or *).
CommandLineOptions options;
try
{
    options = Cli.Parse(args);
}
catch (FormatException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

await using var host = await MilvusTestServerHost.StartAsync(options.Server);
if (options.WriteRate is { } writeRate)
{
    host.Controls.LimitWrites(writeRate);
}

if (options.DeleteRate is { } deleteRate)
{
    host.Controls.LimitDeletes(deleteRate);
}

Console.WriteLine($"Milvus test server ({host.Profile.Name}) listening on {host.BaseUrl.ToString().TrimEnd('/')}");
// The host's console lifetime turns SIGTERM and Ctrl+C into a graceful shutdown.
await host.WaitForShutdownAsync();
return 0;

/// <summary>The server's options and the limiter rates to set once it runs.</summary>
internal sealed record CommandLineOptions(MilvusTestServerOptions Server, long? WriteRate, long? DeleteRate);

internal static class Cli
{
    public static CommandLineOptions Parse(string[] args)
    {
        var options = new MilvusTestServerOptions { Port = 19530 };
        long? writeRate = null, deleteRate = null;
        var keys = new List<string>();
        var users = new Dictionary<string, string>(StringComparer.Ordinal);
        var databases = new List<string>();
        var faults = new List<FaultRule>();
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new FormatException($"{args[i]} needs a value.");
            int Number() => int.TryParse(Value(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= 0 ? n : throw new FormatException($"{args[i - 1]} needs a non-negative integer.");
            switch (args[i])
            {
                case "--profile": options = options with { Profile = MilvusProfile.Parse(Value()) }; break;
                case "--write-rate": writeRate = Number(); break;
                case "--delete-rate": deleteRate = Number(); break;
                case "--port": options = options with { Port = Number() }; break;
                case "--bind": options = options with { BindAddress = Value() }; break;
                case "--token": keys.Add(Value()); break;
                case "--user":
                    var user = Value();
                    var colon = user.IndexOf(':', StringComparison.Ordinal);
                    if (colon <= 0)
                    {
                        throw new FormatException("--user needs NAME:PASSWORD.");
                    }

                    users[user[..colon]] = user[(colon + 1)..];
                    break;
                case "--database": databases.Add(Value()); break;
                case "--staleness-ms": options = options with { Staleness = TimeSpan.FromMilliseconds(Number()) }; break;
                case "--load-ms": options = options with { LoadDuration = TimeSpan.FromMilliseconds(Number()) }; break;
                case "--latency-ms": options = options with { Latency = TimeSpan.FromMilliseconds(Number()) }; break;
                case "--seed": options = options with { Seed = Number() }; break;
                case "--fault": faults.Add(ParseFault(Value())); break;
                case "--count-only": options = options with { CountOnly = true }; break;
                default: throw new FormatException($"Unknown option {args[i]}.");
            }
        }

        var profile = options.Profile ?? MilvusProfile.FromEnvironment();
        return new CommandLineOptions(options with { Profile = profile, ApiKeys = keys, Users = users, Databases = databases, Faults = faults }, writeRate, deleteRate);
    }

    private static FaultRule ParseFault(string text)
    {
        var parts = text.Split(':');
        if (parts.Length < 3 || !double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var rate) || rate is < 0 or > 1)
        {
            throw new FormatException($"--fault '{text}' must be ENDPOINT:RATE:KIND[:CODE] with RATE in [0,1].");
        }

        var kind = parts[2] switch
        {
            "503" => FaultKind.Http503,
            "milvus" => FaultKind.MilvusError,
            "drop" => FaultKind.DropConnection,
            "drop-after-apply" => FaultKind.DropAfterApply,
            "hang" => FaultKind.Hang,
            _ => throw new FormatException($"--fault kind '{parts[2]}' must be 503, milvus, drop, drop-after-apply or hang."),
        };
        var code = parts.Length > 3 && int.TryParse(parts[3], NumberStyles.Integer, CultureInfo.InvariantCulture, out var c) ? c : 8;
        return new FaultRule(parts[0], rate, kind, Code: code);
    }
}
