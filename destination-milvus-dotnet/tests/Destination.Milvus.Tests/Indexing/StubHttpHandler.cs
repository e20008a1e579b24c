using System.Net;
using System.Text;

namespace Destination.Milvus.Tests.Indexing;

/// <summary>Answers HTTP requests from a function and records them (with their bodies) for assertions.</summary>
internal sealed class StubHttpHandler(Func<HttpRequestMessage, string, Task<HttpResponseMessage>> respond) : HttpMessageHandler
{
    public List<(HttpRequestMessage Request, string Body)> Requests { get; } = [];

    public static StubHttpHandler Json(params (HttpStatusCode Status, string Body)[] answers)
    {
        var index = 0;
        return new StubHttpHandler((_, _) =>
        {
            var (status, body) = answers[Math.Min(index++, answers.Length - 1)];
            return Task.FromResult(new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, "application/json") });
        });
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? string.Empty : await request.Content.ReadAsStringAsync(cancellationToken);
        Requests.Add((request, body));
        return await respond(request, body);
    }
}
