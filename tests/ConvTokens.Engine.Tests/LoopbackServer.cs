using System;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using ConvTokens.Engine.Exchange;

namespace ConvTokens.Engine.Tests
{
    /// <summary>
    /// A raw HTTP/1.1 server on 127.0.0.1 that answers each request with what the test scripts: the bytes
    /// of a whole response, or null to close the connection without answering (after reading the request,
    /// so the request went out). Every request body is kept in arrival order.
    /// </summary>
    internal sealed class LoopbackServer : IDisposable
    {
        private readonly TcpListener _listener = new TcpListener(IPAddress.Loopback, 0);
        private readonly Func<int, string, Task<byte[]?>> _respond;
        private readonly CancellationTokenSource _stop = new CancellationTokenSource();
        private int _requests;

        public LoopbackServer(Func<int, string, Task<byte[]?>> respond)
        {
            _respond = respond;
            _listener.Start();
            _ = AcceptLoopAsync();
        }

        public LoopbackServer(Func<int, string, byte[]?> respond) : this((n, body) => Task.FromResult(respond(n, body)))
        {
        }

        public Uri TokenEndpoint => TokenEndpointAt(((IPEndPoint)_listener.LocalEndpoint).Port);

        public ConcurrentQueue<string> Bodies { get; } = new ConcurrentQueue<string>();

        public int Requests => Volatile.Read(ref _requests);

        /// <summary>A whole response: the status line, a JSON content type unless another is given, and the body bytes.</summary>
        public static byte[] Response(int status, string body, string contentType = "application/json", string extraHeaders = "") =>
            Response(status, Encoding.UTF8.GetBytes(body), contentType, extraHeaders);

        public static byte[] Response(int status, byte[] body, string contentType = "application/json", string extraHeaders = "")
        {
            var head = Encoding.ASCII.GetBytes($"HTTP/1.1 {status} Status\r\nContent-Type: {contentType}\r\nContent-Length: {body.Length}\r\nConnection: close\r\n{extraHeaders}\r\n");
            var all = new byte[head.Length + body.Length];
            head.CopyTo(all, 0);
            body.CopyTo(all, head.Length);
            return all;
        }

        public static byte[] Token(string accessToken) => Response(200, $"{{\"access_token\":\"{accessToken}\",\"token_type\":\"Bearer\",\"expires_in\":3600}}");

        /// <summary>A port nothing listens on: connections to it are refused.</summary>
        public static Uri ClosedEndpoint()
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            return TokenEndpointAt(port);
        }

        /// <summary>The token endpoint of http://127.0.0.1:port/v2, made as the cmdlet makes it from -BaseUri.</summary>
        private static Uri TokenEndpointAt(int port)
        {
            if (!BaseUriPolicy.TryGetTokenEndpoint(new Uri($"http://127.0.0.1:{port}/v2"), out var endpoint, out var problem))
            {
                throw new InvalidOperationException(problem);
            }
            return endpoint!;
        }

        private async Task AcceptLoopAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient client;
                try
                {
                    client = await _listener.AcceptTcpClientAsync(_stop.Token);
                }
                catch (Exception)
                {
                    return;
                }
                _ = ServeAsync(client);
            }
        }

        private async Task ServeAsync(TcpClient client)
        {
            using (client)
            {
                try
                {
                    var stream = client.GetStream();
                    var body = await ReadRequestBodyAsync(stream);
                    var number = Interlocked.Increment(ref _requests);
                    Bodies.Enqueue(body);
                    var response = await _respond(number, body);
                    if (response is not null) { await stream.WriteAsync(response, _stop.Token); }
                }
                catch (Exception)
                {
                    // The client went away (a test that cancelled); nothing to answer.
                }
            }
        }

        private async Task<string> ReadRequestBodyAsync(NetworkStream stream)
        {
            var buffer = new byte[64 * 1024];
            var length = 0;
            int headerEnd;
            while ((headerEnd = IndexOfBlankLine(buffer, length)) < 0)
            {
                var read = await stream.ReadAsync(buffer.AsMemory(length), _stop.Token);
                if (read == 0) { throw new InvalidOperationException("The request ended inside its headers."); }
                length += read;
            }
            var head = Encoding.ASCII.GetString(buffer, 0, headerEnd);
            var contentLength = 0;
            foreach (var line in head.Split("\r\n"))
            {
                if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase)) { contentLength = int.Parse(line.Substring(15).Trim()); }
            }
            var bodyStart = headerEnd + 4;
            while (length - bodyStart < contentLength)
            {
                var read = await stream.ReadAsync(buffer.AsMemory(length), _stop.Token);
                if (read == 0) { break; }
                length += read;
            }
            return Encoding.UTF8.GetString(buffer, bodyStart, length - bodyStart);
        }

        private static int IndexOfBlankLine(byte[] buffer, int length)
        {
            for (var i = 0; i + 3 < length; i++)
            {
                if (buffer[i] == '\r' && buffer[i + 1] == '\n' && buffer[i + 2] == '\r' && buffer[i + 3] == '\n') { return i; }
            }
            return -1;
        }

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
            _stop.Dispose();
        }
    }
}
