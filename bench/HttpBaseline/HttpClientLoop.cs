using System;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace ConvTokens.Bench.HttpBaseline
{
    /// <summary>
    /// The baseline for a batch of exchanges: what a plain .NET client costs to post the same one-time tokens
    /// to the same endpoint with the same concurrency. One HttpClient per batch (as Get-SessionToken opens its
    /// connections per pipeline), <c>concurrency</c> loops sharing it, each taking the next token, posting the
    /// JWT-bearer body and reading <c>access_token</c> from a 200 answer. No retries, no order, no checks of
    /// the answer beyond that, no output objects: the least a client must do for each token.
    /// </summary>
    public static class HttpClientLoop
    {
        private static readonly MediaTypeHeaderValue Json = new MediaTypeHeaderValue("application/json");

        /// <summary>Posts every token once; returns how many answers carried an access_token.</summary>
        public static int Run(string tokenEndpoint, string apiKey, string[] tokens, int concurrency)
        {
            if (concurrency < 1) { throw new ArgumentOutOfRangeException(nameof(concurrency)); }
            var target = new Uri(tokenEndpoint);
            var prefix = Encoding.UTF8.GetBytes("{\"grant_type\":\"urn:ietf:params:oauth:grant-type:jwt-bearer\",\"client_id\":"
                + JsonSerializer.Serialize(apiKey) + ",\"assertion\":\"");
            using var http = new HttpClient(new SocketsHttpHandler
            {
                UseProxy = false,
                UseCookies = false,
                AllowAutoRedirect = false,
                MaxConnectionsPerServer = concurrency,
            });
            var next = -1;
            var answered = 0;
            async Task Loop()
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < tokens.Length)
                {
                    var token = tokens[i];
                    var body = new byte[prefix.Length + token.Length + 2];
                    prefix.CopyTo(body, 0);
                    Encoding.ASCII.GetBytes(token, 0, token.Length, body, prefix.Length);
                    body[^2] = (byte)'"';
                    body[^1] = (byte)'}';
                    using var request = new HttpRequestMessage(HttpMethod.Post, target) { Content = new ByteArrayContent(body), Version = HttpVersion.Version11 };
                    request.Content.Headers.ContentType = Json;
                    using var response = await http.SendAsync(request).ConfigureAwait(false);
                    var bytes = await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
                    if (response.StatusCode == HttpStatusCode.OK && HasAccessToken(bytes)) { Interlocked.Increment(ref answered); }
                }
            }
            var loops = new Task[concurrency];
            for (var k = 0; k < concurrency; k++) { loops[k] = Task.Run(Loop); }
            Task.WaitAll(loops);
            return answered;
        }

        private static bool HasAccessToken(byte[] json)
        {
            var reader = new Utf8JsonReader(json);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) { return false; }
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isToken = reader.ValueTextEquals("access_token"u8);
                if (!reader.Read()) { return false; }
                if (isToken) { return reader.TokenType == JsonTokenType.String && reader.ValueSpan.Length > 0; }
                reader.Skip();
            }
            return false;
        }
    }
}
