using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Destination.Milvus.IntegrationTests.Processes;
using MilvusTestServer;

namespace Destination.Milvus.IntegrationTests.Readme;

/// <summary>
/// The user's side of the README's commands: a Milvus test server, and in a temporary folder the files the commands
/// name (<c>config.json</c> for that server with the offline embedder and the tutorial's text fields, a Zendesk-like
/// <c>catalog.json</c> and <c>messages.jsonl</c>), the collection already loaded from them so that the search
/// commands find it whichever command runs first.
/// </summary>
public sealed class ReadmeSandbox : IAsyncLifetime
{
    /// <summary>Records in <c>messages.jsonl</c>.</summary>
    public const int RecordCount = 5;

    private MilvusTestServerHost? _server;

    /// <summary>The folder holding the user's files.</summary>
    public string Folder { get; } = Directory.CreateTempSubdirectory("readme-").FullName;

    public async ValueTask InitializeAsync()
    {
        _server = await MilvusTestServerHost.StartAsync();
        var config = new JsonObject
        {
            ["embedding"] = new JsonObject { ["mode"] = "fake" },
            ["processing"] = new JsonObject { ["chunk_size"] = 1000, ["text_fields"] = new JsonArray("body", "title", "description", "subject") },
            ["indexing"] = new JsonObject { ["host"] = _server.BaseUrl.ToString().TrimEnd('/'), ["collection"] = "zendesk_support", ["auth"] = new JsonObject { ["mode"] = "no_auth" } },
        };
        await File.WriteAllTextAsync(Path.Combine(Folder, "config.json"), config.ToJsonString());
        await File.WriteAllTextAsync(Path.Combine(Folder, "catalog.json"), Catalog());
        await File.WriteAllTextAsync(Path.Combine(Folder, "messages.jsonl"), Messages());

        var load = await ConnectorProcess.RunAsync(["write", "--config", Path.Combine(Folder, "config.json"), "--catalog", Path.Combine(Folder, "catalog.json")], Messages());
        Assert.True(load.ExitCode == 0, "loading the README sandbox failed: " + load.Stdout + load.Stderr);
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        Directory.Delete(Folder, recursive: true);
    }

    /// <summary>The command with the user's file names pointing into <see cref="Folder"/>.</summary>
    public string WithFiles(string command)
    {
        foreach (var file in new[] { "config.json", "catalog.json", "messages.jsonl" })
        {
            command = command.Replace(" " + file, " " + Path.Combine(Folder, file), StringComparison.Ordinal);
        }

        return command;
    }

    private static string Catalog()
    {
        static JsonObject Stream(string name) => new()
        {
            ["stream"] = new JsonObject { ["name"] = name, ["json_schema"] = new JsonObject { ["type"] = "object" }, ["supported_sync_modes"] = new JsonArray("full_refresh", "incremental") },
            ["sync_mode"] = "incremental",
            ["cursor_field"] = new JsonArray("updated_at"),
            ["destination_sync_mode"] = "append_dedup",
            ["primary_key"] = new JsonArray(new JsonArray("id")),
        };

        return new JsonObject { ["streams"] = new JsonArray(Stream("tickets"), Stream("articles")) }.ToJsonString();
    }

    private static string Messages()
    {
        var lines = new StringBuilder();
        void Record(string stream, JsonObject data) =>
            lines.Append(new JsonObject { ["type"] = "RECORD", ["record"] = new JsonObject { ["stream"] = stream, ["data"] = data, ["emitted_at"] = 1_711_000_000_000 } }.ToJsonString()).Append('\n');
        void State(string stream) =>
            lines.Append(new JsonObject
            {
                ["type"] = "STATE",
                ["state"] = new JsonObject { ["type"] = "STREAM", ["stream"] = new JsonObject { ["stream_descriptor"] = new JsonObject { ["name"] = stream }, ["stream_state"] = new JsonObject { ["updated_at"] = "2024-03-21T00:00:00Z" } } },
            }.ToJsonString()).Append('\n');
        JsonObject Ticket(long id, string subject, string description, string status) => new()
        {
            ["id"] = id,
            ["subject"] = subject,
            ["description"] = description,
            ["status"] = status,
            ["organization_id"] = 360033549136,
            ["updated_at"] = "2024-03-20T10:00:00Z",
        };

        Record("tickets", Ticket(7001, "Password reset email", "I clicked forgot password but the reset email never arrived.", "new"));
        Record("tickets", Ticket(7002, "Invoice charged twice", "Our credit card was charged twice for the same invoice this month.", "open"));
        Record("tickets", Ticket(7003, "App crashes on start", "The mobile app crashes right after the splash screen on Android 14.", "new"));
        State("tickets");
        foreach (var (id, title) in new[] { (8001L, "How to reset your password"), (8002L, "Understanding your invoice and billing cycle") })
        {
            Record("articles", new JsonObject
            {
                ["id"] = id,
                ["title"] = title,
                ["body"] = "<p>" + title + ": step by step.</p>",
                ["html_url"] = "https://acme.zendesk.com/hc/en-us/articles/" + id.ToString(CultureInfo.InvariantCulture),
                ["updated_at"] = "2024-03-20T10:00:00Z",
            });
        }

        State("articles");
        return lines.ToString();
    }
}
