using System;
using System.Buffers;
using System.IO;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;

namespace ConvTokens.TokenEndpoint
{
    /// <summary>
    /// The whole HTTP surface: POST /token and the /_control API. A single terminal middleware,
    /// no routing, no model binding: every byte of every answer is written here.
    /// </summary>
    internal sealed class RequestHandler
    {
        public const int MaxBodyBytes = 64 * 1024;

        private const string HtmlPage =
            "<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\n" +
            "<body><h1>502 Bad Gateway</h1><p>The upstream server did not answer.</p></body></html>\n";

        private static readonly byte[] MalformedBody = Encoding.UTF8.GetBytes("{\"access_token\":");
        private static readonly Lazy<byte[]> OversizedBody = new(() =>
            Encoding.UTF8.GetBytes("{\"access_token\":\"" + new string('A', 2 * 1024 * 1024) + "\",\"token_type\":\"Bearer\"}"));
        private static readonly byte[] PlainServerError = Encoding.UTF8.GetBytes("Internal Server Error\n");

        private readonly TokenService tokens;
        private readonly FaultInjector faults;
        private readonly EndpointStats stats;

        public RequestHandler(TokenService tokens, FaultInjector faults, EndpointStats stats)
        {
            this.tokens = tokens;
            this.faults = faults;
            this.stats = stats;
        }

        public async Task HandleAsync(HttpContext context)
        {
            try
            {
                context.Response.Headers.CacheControl = "no-store";
                context.Response.Headers.Pragma = "no-cache";
                string path = context.Request.Path.Value ?? string.Empty;
                switch (path)
                {
                    case "/token":
                        await Only(context, HttpMethods.Post, TokenAsync);
                        break;
                    case "/_control/faults":
                        await Only(context, HttpMethods.Post, SetFaultsAsync);
                        break;
                    case "/_control/stats":
                        await Only(context, HttpMethods.Get, c => WriteJsonAsync(c, 200, j => stats.Write(j, tokens.SpentCount)));
                        break;
                    case "/_control/reset":
                        await Only(context, HttpMethods.Post, ResetAsync);
                        break;
                    default:
                        await WriteErrorAsync(context, 404, "not_found", "no such resource; the token endpoint is POST /token");
                        break;
                }
            }
            catch (Exception) when (context.RequestAborted.IsCancellationRequested)
            {
                // The client went away; nothing to answer.
            }
        }

        private static Task Only(HttpContext context, string method, Func<HttpContext, Task> handler)
        {
            if (HttpMethods.Equals(context.Request.Method, method))
            {
                return handler(context);
            }

            context.Response.Headers.Allow = method;
            return WriteErrorAsync(context, 405, "invalid_request", $"this resource accepts {method} only");
        }

        private async Task TokenAsync(HttpContext context)
        {
            stats.RequestStarted();
            try
            {
                Fault fault = faults.Next();
                if (fault.Kind != FaultKind.None)
                {
                    stats.FaultInjected();
                }

                (byte[]? body, int failedStatus) = await ReadBodyAsync(context);
                if (body is null)
                {
                    stats.Rejected();
                    await WriteErrorAsync(context, failedStatus, "invalid_request",
                        failedStatus == 413 ? $"the request body is larger than {MaxBodyBytes} bytes" : "the request body could not be read");
                    return;
                }

                using JsonDocument? document = TryParseJson(body);
                bool resent = document is not null && tokens.NoteResend(document.RootElement);

                if (fault.Kind == FaultKind.Slow)
                {
                    await Task.Delay(fault.DelayMs, context.RequestAborted);
                }

                if (fault.AnswersBeforeGrant)
                {
                    await AnswerFaultAsync(context, fault);
                    return;
                }

                GrantResult result =
                    !IsJsonContentType(context.Request.ContentType)
                        ? GrantResult.Reject(415, "invalid_request", "Content-Type must be application/json")
                        : document is null
                            ? GrantResult.InvalidRequest("the request body is not valid JSON")
                            : tokens.Grant(document.RootElement, resent);

                if (result.Succeeded)
                {
                    stats.Issued();
                }
                else
                {
                    stats.Rejected();
                }

                if (fault.SpoilsAfterGrant)
                {
                    await AnswerFaultAsync(context, fault);
                    return;
                }

                if (!result.Succeeded)
                {
                    await WriteErrorAsync(context, result.Status, result.Error!, result.Description!);
                    return;
                }

                ResponseShape shape = fault.Shape ?? faults.DefaultShape;
                await WriteJsonAsync(context, 200, json =>
                {
                    json.WriteStartObject();
                    switch (shape)
                    {
                        case ResponseShape.SessionToken:
                            json.WriteString("sessionToken", result.AccessToken);
                            json.WriteNumber("expiresIn", TokenService.SessionLifetimeSeconds);
                            break;
                        case ResponseShape.Token:
                            json.WriteString("token", result.AccessToken);
                            break;
                        default:
                            json.WriteString("access_token", result.AccessToken);
                            json.WriteString("token_type", "Bearer");
                            json.WriteNumber("expires_in", TokenService.SessionLifetimeSeconds);
                            break;
                    }

                    json.WriteEndObject();
                });
            }
            finally
            {
                stats.RequestEnded();
            }
        }

        private static async Task AnswerFaultAsync(HttpContext context, Fault fault)
        {
            HttpResponse response = context.Response;
            switch (fault.Kind)
            {
                case FaultKind.Status429:
                case FaultKind.Status503:
                    if (fault.RetryAfter is not null)
                    {
                        response.Headers.RetryAfter = fault.RetryAfter;
                    }

                    await WriteErrorAsync(context, fault.Kind == FaultKind.Status429 ? 429 : 503, "temporarily_unavailable",
                        fault.Kind == FaultKind.Status429 ? "too many requests; retry later" : "the service is unavailable; retry later");
                    break;
                case FaultKind.Html:
                    await WriteBytesAsync(context, 502, "text/html; charset=utf-8", Encoding.UTF8.GetBytes(HtmlPage));
                    break;
                case FaultKind.Redirect:
                    response.StatusCode = 307;
                    response.Headers.Location = fault.Location;
                    response.ContentLength = 0;
                    break;
                case FaultKind.Status500AfterConsume:
                    await WriteBytesAsync(context, 500, "text/plain; charset=utf-8", PlainServerError);
                    break;
                case FaultKind.Malformed:
                    await WriteBytesAsync(context, 200, "application/json; charset=utf-8", MalformedBody);
                    break;
                case FaultKind.Oversized:
                    await WriteBytesAsync(context, 200, "application/json; charset=utf-8", OversizedBody.Value);
                    break;
                case FaultKind.Raw:
                    RawAnswer raw = fault.Raw!;
                    if (raw.RetryAfter is not null)
                    {
                        response.Headers.RetryAfter = raw.RetryAfter;
                    }

                    if (raw.Location is not null)
                    {
                        response.Headers.Location = raw.Location;
                    }

                    response.StatusCode = raw.Status;
                    if (raw.Reason is not null)
                    {
                        context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpResponseFeature>()!.ReasonPhrase = raw.Reason;
                    }

                    if (raw.ContentType is not null)
                    {
                        response.ContentType = raw.ContentType;
                    }

                    response.ContentLength = raw.Body.Length;
                    await response.Body.WriteAsync(raw.Body, context.RequestAborted);
                    break;
                case FaultKind.Drop:
                case FaultKind.DropAfterConsume:
                    context.Abort();
                    break;
                default:
                    throw new InvalidOperationException($"fault {fault.Kind} has no answer of its own");
            }
        }

        private async Task SetFaultsAsync(HttpContext context)
        {
            (byte[]? body, int failedStatus) = await ReadBodyAsync(context);
            if (body is null)
            {
                await WriteErrorAsync(context, failedStatus, "invalid_request", "the request body could not be read");
                return;
            }

            using JsonDocument? document = TryParseJson(body);
            if (document is null)
            {
                await WriteErrorAsync(context, 400, "invalid_request", "the request body is not valid JSON");
                return;
            }

            FaultPlan plan;
            try
            {
                plan = FaultPlan.Parse(document.RootElement);
            }
            catch (FaultPlanException ex)
            {
                await WriteErrorAsync(context, 400, "invalid_request", ex.Message);
                return;
            }

            faults.Replace(plan);
            await WriteJsonAsync(context, 200, json =>
            {
                json.WriteStartObject();
                json.WriteNumber("faults", plan.Entries.Count);
                json.WriteBoolean("mix", plan.Mix is not null);
                json.WriteString("shape", plan.DefaultShape switch
                {
                    ResponseShape.SessionToken => "sessionToken",
                    ResponseShape.Token => "token",
                    _ => "oauth",
                });
                json.WriteEndObject();
            });
        }

        private Task ResetAsync(HttpContext context)
        {
            faults.Clear();
            stats.Reset();
            return WriteJsonAsync(context, 200, json =>
            {
                json.WriteStartObject();
                json.WriteBoolean("reset", true);
                json.WriteEndObject();
            });
        }

        /// <summary>Reads the whole body, at most <see cref="MaxBodyBytes"/>; on failure returns the status to answer.</summary>
        private static async Task<(byte[]? Body, int FailedStatus)> ReadBodyAsync(HttpContext context)
        {
            if (context.Request.ContentLength > MaxBodyBytes)
            {
                return (null, 413);
            }

            try
            {
                using var buffer = new MemoryStream();
                byte[] chunk = ArrayPool<byte>.Shared.Rent(8192);
                try
                {
                    int read;
                    while ((read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
                    {
                        if (buffer.Length + read > MaxBodyBytes)
                        {
                            return (null, 413);
                        }

                        buffer.Write(chunk, 0, read);
                    }
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(chunk);
                }

                return (buffer.ToArray(), 0);
            }
            catch (BadHttpRequestException ex)
            {
                return (null, ex.StatusCode);
            }
        }

        private static JsonDocument? TryParseJson(byte[] body)
        {
            try
            {
                return JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 32 });
            }
            catch (JsonException)
            {
                return null;
            }
        }

        /// <summary>application/json or any application/*+json, parameters (charset) allowed.</summary>
        private static bool IsJsonContentType(string? contentType)
        {
            if (string.IsNullOrEmpty(contentType))
            {
                return false;
            }

            int semicolon = contentType.IndexOf(';');
            string mediaType = (semicolon < 0 ? contentType : contentType[..semicolon]).Trim();
            return mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) ||
                   (mediaType.StartsWith("application/", StringComparison.OrdinalIgnoreCase) &&
                    mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase));
        }

        private static Task WriteErrorAsync(HttpContext context, int status, string error, string description) =>
            WriteJsonAsync(context, status, json =>
            {
                json.WriteStartObject();
                json.WriteString("error", error);
                json.WriteString("error_description", description);
                json.WriteEndObject();
            });

        private static Task WriteJsonAsync(HttpContext context, int status, Action<Utf8JsonWriter> write)
        {
            var buffer = new ArrayBufferWriter<byte>(256);
            using (var json = new Utf8JsonWriter(buffer))
            {
                write(json);
            }

            return WriteBytesAsync(context, status, "application/json; charset=utf-8", buffer.WrittenMemory);
        }

        private static Task WriteBytesAsync(HttpContext context, int status, string contentType, ReadOnlyMemory<byte> body)
        {
            HttpResponse response = context.Response;
            response.StatusCode = status;
            response.ContentType = contentType;
            response.ContentLength = body.Length;
            return response.Body.WriteAsync(body, context.RequestAborted).AsTask();
        }
    }
}
