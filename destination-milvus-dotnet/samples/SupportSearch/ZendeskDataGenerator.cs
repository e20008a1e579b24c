using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace SupportSearch;

/// <summary>A ticket the generator planted with a reworded copy, so a duplicate warning can be checked by id.</summary>
/// <param name="TicketId">The planted ticket's id.</param>
/// <param name="OrganizationId">Its organization.</param>
/// <param name="Subject">Its subject.</param>
/// <param name="Rewording">A description a user of the same organization would type for the same problem.</param>
public sealed record PlantedDuplicate(long TicketId, long OrganizationId, string Subject, string Rewording);

/// <summary>A problem no ticket describes, with the article that answers it.</summary>
/// <param name="Text">What the user types.</param>
/// <param name="ArticleTitle">The title of the article about it.</param>
public sealed record NewProblem(string Text, string ArticleTitle);

/// <summary>The generated data set: records in the shapes of Airbyte's source-zendesk-support streams.</summary>
/// <param name="Tickets">The <c>tickets</c> records.</param>
/// <param name="Articles">The <c>articles</c> records.</param>
/// <param name="Duplicates">Planted tickets with their rewording (status new, first organization).</param>
/// <param name="NewProblems">Problems without a ticket, one per article topic.</param>
public sealed record ZendeskData(IReadOnlyList<JsonObject> Tickets, IReadOnlyList<JsonObject> Articles, IReadOnlyList<PlantedDuplicate> Duplicates, IReadOnlyList<NewProblem> NewProblems);

/// <summary>
/// Realistic, seeded Zendesk-like support data for the demo and the tests, written by us (no customer data):
/// tickets (id, subject, description, status new/open/pending/solved, organization_id, requester_id, tags, dates ...)
/// and help-center articles (id, title, HTML body, html_url, section_id, locale, label_names ...). It plants
/// near-duplicate ticket texts so duplicate detection is testable even with the connector's fake feature-hashing
/// embedder, which only sees shared words.
/// </summary>
public static class ZendeskDataGenerator
{
    /// <summary>The tutorial's organization id, used as the first generated organization.</summary>
    public const long TutorialOrganizationId = 360033549136;

    /// <summary>The organizations tickets belong to; the first is the tutorial's.</summary>
    public static IReadOnlyList<long> Organizations { get; } = [TutorialOrganizationId, 360033549137, 360033549138];

    private static readonly string[] Statuses = ["new", "open", "pending", "solved"];
    private static readonly string[] Products = ["Dashboard", "Mobile app", "Reports", "Integrations", "Admin console"];
    private static readonly string[] Browsers = ["Chrome", "Firefox", "Safari", "Edge"];

    private sealed record Topic(string Key, string Title, string[] Paragraphs, string[] Subjects, string[] Problems, string NewProblem);

    private static readonly Topic[] Topics =
    [
        new("password", "How to reset your password",
            ["If you forgot your password, open the sign in page and click Forgot password.", "We send a reset link to the email address of your account; the link expires after 24 hours.", "If the reset email does not arrive, check the spam folder and make sure the address is spelled correctly."],
            ["Cannot reset my password", "Password reset link expired", "Reset email never arrives"],
            ["I clicked forgot password but the reset email never arrived in my inbox.", "The password reset link says it expired even though I opened it right away.", "After resetting my password the sign in page still rejects it."],
            "I forgot my password and the reset link email does not arrive, not even in the spam folder"),
        new("invoice", "Understanding your invoice and billing cycle",
            ["Invoices are issued on the first day of each billing cycle and sent to the billing contact.", "You can download past invoices as PDF from the Billing page of the admin console.", "Charges for added seats are prorated until the end of the current billing cycle."],
            ["Charged twice this month", "Invoice shows wrong amount", "Where can I download invoices"],
            ["Our credit card was charged twice for the same invoice this month.", "The invoice amount does not match the number of seats we use.", "I need a PDF copy of last year's invoices for our accountant."],
            "why are added seats prorated on my invoice and where do I download the invoice PDF for this billing cycle"),
        new("api", "API rate limits and how to handle 429 responses",
            ["Each API token may send 700 requests per minute; above that the API answers 429 Too Many Requests.", "Read the Retry-After header of a 429 response and wait that many seconds before retrying.", "Batch endpoints let you update up to 100 records in one request, which keeps you under the rate limit."],
            ["API returns 429 errors", "Integration hitting rate limit", "Too many requests from our sync job"],
            ["Our nightly sync job gets 429 Too Many Requests from the API after a few minutes.", "The integration fails with rate limit errors when we import contacts.", "Every API call returns 429 even though we send only a few requests."],
            "our script gets 429 too many requests from the API, how long should we wait before retrying and what is the rate limit per minute"),
        new("sso", "Setting up single sign-on with SAML",
            ["Single sign-on lets your team sign in with your identity provider through SAML 2.0.", "In the admin console open Security, choose SAML, and paste the SSO URL and certificate fingerprint of your identity provider.", "Test the configuration with one user before enforcing single sign-on for everyone."],
            ["SAML login fails", "SSO redirect loop", "Single sign-on certificate error"],
            ["Users are stuck in a redirect loop when they sign in through our SAML identity provider.", "Single sign-on fails with an invalid certificate fingerprint error.", "After enabling SSO nobody in the team can sign in anymore."],
            "how do I configure SAML single sign-on with our identity provider, where do I paste the SSO URL and certificate fingerprint"),
        new("export", "Exporting your data to CSV",
            ["Admins can export tickets, users and organizations to CSV from the Reports page.", "Large exports run in the background and we email a download link when the file is ready.", "Exports include custom fields; dates are written in UTC using the ISO 8601 format."],
            ["CSV export is empty", "Export download link missing", "Dates wrong in exported file"],
            ["The CSV export finishes but the file only contains the header row.", "We never received the email with the export download link.", "All dates in the exported CSV file are shifted by several hours."],
            "how can an admin export all users and organizations to a CSV file and are custom fields included in the export"),
        new("mobile", "Troubleshooting crashes in the mobile app",
            ["Make sure you run the latest version of the mobile app from the App Store or Google Play.", "If the app crashes on start, sign out, clear the app cache and sign in again.", "Send us the crash report from Settings, Help, Send diagnostics so we can investigate."],
            ["Mobile app crashes on start", "App closes when opening a ticket", "Android app freezes"],
            ["The mobile app crashes right after the splash screen on my phone.", "The app closes whenever I open a ticket with attachments.", "The Android app freezes when I scroll through the ticket list."],
            "the mobile app keeps crashing when it starts, should I clear the app cache or send diagnostics from settings"),
        new("notifications", "Managing email notifications",
            ["Each user chooses which email notifications to receive under Profile, Notifications.", "Admins can add trigger conditions that notify a group when a ticket is assigned to it.", "If notifications stop arriving, add our sending domain to your mail server allow list."],
            ["Not receiving notification emails", "Too many email notifications", "Notifications go to the wrong group"],
            ["Agents stopped receiving email notifications for new tickets yesterday.", "I get dozens of notification emails for every comment on a ticket.", "Notifications for billing tickets are sent to the support group instead of finance."],
            "how do I choose which email notifications I receive under my profile notifications, and can admins add a trigger that notifies a group when a ticket is assigned to it"),
        new("webhooks", "Configuring webhooks",
            ["Webhooks send an HTTP POST to your endpoint when an event such as ticket created happens.", "Your endpoint must answer within 10 seconds with a 2xx status, otherwise the delivery is retried up to 5 times.", "Verify each delivery with the signature header and your webhook signing secret."],
            ["Webhook deliveries failing", "Webhook signature does not verify", "Webhook retries flood our server"],
            ["Our webhook endpoint shows failed deliveries with a timeout error.", "We cannot verify the webhook signature header with our signing secret.", "Each webhook event is delivered five times to our server."],
            "how do I verify each webhook delivery with the signature header and our webhook signing secret, and how many times is a failed delivery retried"),
    ];

    /// <summary>Generates <paramref name="ticketCount"/> tickets and one article per topic, deterministically for a seed.</summary>
    public static ZendeskData Generate(int seed = 42, int ticketCount = 60)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(ticketCount, Topics.Length);
        var random = new Random(seed);
        var start = new DateTimeOffset(2024, 3, 1, 9, 0, 0, TimeSpan.Zero);
        var articles = new List<JsonObject>();
        for (var i = 0; i < Topics.Length; i++)
        {
            articles.Add(Article(Topics[i], 360019000000 + (i * 137), start.AddDays(-200 + (i * 9)), random));
        }

        var tickets = new List<JsonObject>();
        var duplicates = new List<PlantedDuplicate>();
        for (var i = 0; i < ticketCount; i++)
        {
            var id = 1000 + i;
            var topic = Topics[i % Topics.Length];
            var created = start.AddHours(i * 7 + random.Next(0, 5));
            var product = Products[random.Next(Products.Length)];
            var browser = Browsers[random.Next(Browsers.Length)];
            var planted = i < 3;
            long org;
            string status;
            string description;
            string subject;
            if (planted)
            {
                // Planted tickets: new, in the tutorial's organization, with a distinctive story that a later user retells.
                org = TutorialOrganizationId;
                status = "new";
                subject = topic.Subjects[0] + " for " + PlantedNames[i];
                description = PlantedStories[i];
                duplicates.Add(new PlantedDuplicate(id, org, subject, PlantedRewordings[i]));
            }
            else
            {
                org = Organizations[random.Next(Organizations.Count)];
                status = Statuses[random.Next(Statuses.Length)];
                subject = topic.Subjects[random.Next(topic.Subjects.Length)];
                description = string.Create(CultureInfo.InvariantCulture,
                    $"{topic.Problems[random.Next(topic.Problems.Length)]} We use the {product} in {browser}. It started on {created.AddDays(-random.Next(1, 9)):MMMM d}. Ticket reference {random.Next(10000, 99999)}.");
            }

            tickets.Add(Ticket(id, subject, description, status, org, topic.Key, created, random));
        }

        var problems = Topics.Select(t => new NewProblem(t.NewProblem, t.Title)).ToList();
        return new ZendeskData(tickets, articles, duplicates, problems);
    }

    private static readonly string[] PlantedNames = ["the Lisbon office", "our finance team", "the nightly contact import"];

    private static readonly string[] PlantedStories =
    [
        "Nobody in the Lisbon office can reset a password: the reset email arrives but the link opens a blank page in Firefox, and the help desk laptops all show the same blank page since Monday morning.",
        "Our finance team was charged twice for the March invoice on the company credit card ending in 4242, and the billing page lists both payments with the same invoice number.",
        "The nightly contact import from our CRM stops after about 700 contacts with 429 Too Many Requests, and the sync job then gives up and leaves half of the contacts without their phone numbers.",
    ];

    private static readonly string[] PlantedRewordings =
    [
        "Nobody in our Lisbon office can reset a password: the reset email arrives but the link opens a blank page in Firefox, all help desk laptops show that blank page since Monday.",
        "Our finance team got charged twice for the March invoice on the company credit card ending in 4242; the billing page lists both payments with the same invoice number.",
        "The nightly contact import from the CRM stops after roughly 700 contacts with 429 Too Many Requests, then the sync job gives up and half of the contacts are left without phone numbers.",
    ];

    private static JsonObject Ticket(long id, string subject, string description, string status, long org, string topic, DateTimeOffset created, Random random)
    {
        var requester = 361000000000 + random.Next(1, 500);
        var updated = created.AddHours(random.Next(1, 48));
        return new JsonObject
        {
            ["id"] = id,
            ["url"] = $"https://acme.zendesk.com/api/v2/tickets/{id}.json",
            ["subject"] = subject,
            ["raw_subject"] = subject,
            ["description"] = description,
            ["status"] = status,
            ["priority"] = new[] { "low", "normal", "high", "urgent" }[random.Next(4)],
            ["type"] = new[] { "question", "incident", "problem", "task" }[random.Next(4)],
            ["organization_id"] = org,
            ["requester_id"] = requester,
            ["submitter_id"] = requester,
            ["assignee_id"] = status == "new" ? null : 362000000000 + random.Next(1, 20),
            ["group_id"] = 360010000000 + random.Next(1, 4),
            ["brand_id"] = 360005000001,
            ["tags"] = new JsonArray(topic, status == "new" ? "triage" : "handled"),
            ["is_public"] = true,
            ["has_incidents"] = false,
            ["via"] = new JsonObject { ["channel"] = random.Next(2) == 0 ? "web" : "email" },
            ["created_at"] = Iso(created),
            ["updated_at"] = Iso(updated),
            ["generated_timestamp"] = updated.ToUnixTimeSeconds(),
        };
    }

    private static JsonObject Article(Topic topic, long id, DateTimeOffset created, Random random)
    {
        var body = new StringBuilder();
        foreach (var paragraph in topic.Paragraphs)
        {
            body.Append("<p>").Append(System.Net.WebUtility.HtmlEncode(paragraph)).Append("</p>");
        }

        var slug = string.Join('-', topic.Title.ToLowerInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(w => new string(w.Where(char.IsLetterOrDigit).ToArray())));
        return new JsonObject
        {
            ["id"] = id,
            ["url"] = $"https://acme.zendesk.com/api/v2/help_center/en-us/articles/{id}.json",
            ["html_url"] = $"https://acme.zendesk.com/hc/en-us/articles/{id}-{slug}",
            ["title"] = topic.Title,
            ["body"] = body.ToString(),
            ["locale"] = "en-us",
            ["source_locale"] = "en-us",
            ["section_id"] = 360004000000 + random.Next(1, 4),
            ["author_id"] = 362000000000 + random.Next(1, 20),
            ["label_names"] = new JsonArray(topic.Key, "self-service"),
            ["draft"] = false,
            ["promoted"] = false,
            ["comments_disabled"] = true,
            ["vote_sum"] = random.Next(0, 40),
            ["vote_count"] = random.Next(40, 80),
            ["created_at"] = Iso(created),
            ["updated_at"] = Iso(created.AddDays(random.Next(1, 60))),
            ["edited_at"] = Iso(created.AddDays(1)),
        };
    }

    private static string Iso(DateTimeOffset time) => time.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>
    /// The Airbyte messages a Zendesk source would emit: every ticket as a RECORD of stream <c>tickets</c>, then a STATE,
    /// then the articles and a STATE, one JSON object per line.
    /// </summary>
    public static string ToAirbyteMessages(ZendeskData data, long emittedAt = 1_711_000_000_000)
    {
        ArgumentNullException.ThrowIfNull(data);
        var builder = new StringBuilder();
        Append(builder, "tickets", data.Tickets, emittedAt);
        Append(builder, "articles", data.Articles, emittedAt);
        return builder.ToString();
    }

    private static void Append(StringBuilder builder, string stream, IReadOnlyList<JsonObject> records, long emittedAt)
    {
        foreach (var record in records)
        {
            var message = new JsonObject
            {
                ["type"] = "RECORD",
                ["record"] = new JsonObject { ["stream"] = stream, ["data"] = record.DeepClone(), ["emitted_at"] = emittedAt },
            };
            builder.Append(message.ToJsonString()).Append('\n');
        }

        var cursor = records.Select(r => r["updated_at"]!.GetValue<string>()).DefaultIfEmpty("").Max(StringComparer.Ordinal);
        var state = new JsonObject
        {
            ["type"] = "STATE",
            ["state"] = new JsonObject
            {
                ["type"] = "STREAM",
                ["stream"] = new JsonObject
                {
                    ["stream_descriptor"] = new JsonObject { ["name"] = stream },
                    ["stream_state"] = new JsonObject { ["updated_at"] = cursor },
                },
            },
        };
        builder.Append(state.ToJsonString()).Append('\n');
    }

    /// <summary>
    /// The configured catalog for both streams: incremental <c>append_dedup</c> on primary key <c>id</c> with cursor
    /// <c>updated_at</c>, as the tutorial's connection syncs them.
    /// </summary>
    public static string ConfiguredCatalog()
    {
        JsonNode Stream(string name) => new JsonObject
        {
            ["stream"] = new JsonObject
            {
                ["name"] = name,
                ["json_schema"] = new JsonObject { ["type"] = "object", ["properties"] = new JsonObject() },
                ["supported_sync_modes"] = new JsonArray("full_refresh", "incremental"),
                ["source_defined_cursor"] = true,
                ["default_cursor_field"] = new JsonArray("updated_at"),
                ["source_defined_primary_key"] = new JsonArray(new JsonArray("id")),
            },
            ["sync_mode"] = "incremental",
            ["cursor_field"] = new JsonArray("updated_at"),
            ["destination_sync_mode"] = "append_dedup",
            ["primary_key"] = new JsonArray(new JsonArray("id")),
        };

        return new JsonObject { ["streams"] = new JsonArray(Stream("tickets"), Stream("articles")) }.ToJsonString();
    }

    /// <summary>
    /// The connector config of the tutorial's setup: text fields body, title, description, subject, chunk size 1000,
    /// all fields as metadata; the fake embedder unless <paramref name="embedding"/> names another.
    /// </summary>
    public static string ConnectorConfig(string host, string collection, JsonObject? embedding = null) => new JsonObject
    {
        ["embedding"] = embedding ?? new JsonObject { ["mode"] = "fake" },
        ["processing"] = new JsonObject
        {
            ["chunk_size"] = 1000,
            ["text_fields"] = new JsonArray("body", "title", "description", "subject"),
        },
        ["indexing"] = new JsonObject
        {
            ["host"] = host,
            ["collection"] = collection,
            ["auth"] = new JsonObject { ["mode"] = "no_auth" },
        },
    }.ToJsonString();
}
