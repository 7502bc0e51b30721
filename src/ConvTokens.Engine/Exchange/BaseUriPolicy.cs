using System;
using System.Net;

namespace ConvTokens.Engine.Exchange
{
    /// <summary>Which base addresses may receive the apiKey: https anywhere, http only on loopback.</summary>
    public static class BaseUriPolicy
    {
        public const string ProductionBaseUri = "https://api.jackpot-io.com/v2";

        /// <summary>What follows the base address: the endpoint is {BaseUri}/token.</summary>
        public const string TokenPath = "/token";

        /// <summary>The production API's token endpoint, the default of every client.</summary>
        public static readonly Uri ProductionTokenEndpoint = TokenEndpointOf(new Uri(ProductionBaseUri));

        /// <summary>{BaseUri}/token, or false with a <paramref name="problem"/> that names the address and what is wrong with it.</summary>
        public static bool TryGetTokenEndpoint(Uri baseUri, out Uri? endpoint, out string? problem)
        {
            endpoint = null;
            if (!baseUri.IsAbsoluteUri)
            {
                problem = $"BaseUri '{baseUri.OriginalString}' is not an absolute URI; use e.g. {ProductionBaseUri}.";
                return false;
            }
            if (!string.IsNullOrEmpty(baseUri.UserInfo))
            {
                var withoutUser = new UriBuilder(baseUri) { UserName = string.Empty, Password = string.Empty }.Uri;
                problem = $"BaseUri must not carry user information (user:password@ in '{withoutUser.GetLeftPart(UriPartial.Path)}'); the apiKey is sent in the request body.";
                return false;
            }
            var https = baseUri.Scheme == Uri.UriSchemeHttps;
            var loopbackHttp = baseUri.Scheme == Uri.UriSchemeHttp && IsLoopback(baseUri);
            if (!https && !loopbackHttp)
            {
                problem = $"BaseUri '{baseUri.OriginalString}' is not https; the apiKey travels only over https (plain http is allowed for loopback addresses only).";
                return false;
            }
            endpoint = TokenEndpointOf(baseUri);
            problem = null;
            return true;
        }

        /// <summary>The one place that makes {BaseUri}/token: query and fragment dropped, one slash between.</summary>
        private static Uri TokenEndpointOf(Uri baseUri) => new Uri(baseUri.GetLeftPart(UriPartial.Path).TrimEnd('/') + TokenPath);

        /// <summary>localhost, 127.0.0.0/8 and ::1 in any spelling: requests there never leave the machine (and skip any proxy).</summary>
        public static bool IsLoopback(Uri uri) =>
            uri.IsLoopback || (IPAddress.TryParse(uri.IdnHost.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
    }
}
