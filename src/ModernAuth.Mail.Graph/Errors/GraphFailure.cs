using System.Globalization;
using Microsoft.Graph;
using Microsoft.Graph.Models.ODataErrors;
using Microsoft.Kiota.Abstractions;

namespace ModernAuth.Mail.Graph;

/// <summary>What went wrong in one SDK call, read from whichever exception the SDK threw.</summary>
internal sealed class GraphFailure
{
    public int Status { get; private set; }

    public string? Code { get; private set; }

    public string? Message { get; private set; }

    public string? RequestId { get; private set; }

    public TimeSpan? RetryAfter { get; private set; }

    /// <summary>The SDK's retry handler gave up (it throws "Too many retries performed").</summary>
    public bool RetriesExhausted { get; private set; }

    public bool IsTimeout { get; private set; }

    public bool IsNetwork { get; private set; }

    public bool IsUnreadable { get; private set; }

    public static GraphFailure From(Exception error, CancellationToken cancellationToken)
    {
        var failure = new GraphFailure();
        switch (error)
        {
            case ODataError odata:
                failure.Status = odata.ResponseStatusCode;
                failure.Code = odata.Error?.Code;
                failure.Message = odata.Error?.Message;
                failure.RequestId = odata.Error?.InnerError?.RequestId;
                failure.ReadHeaders(odata.ResponseHeaders);
                break;
            case AggregateException aggregate when aggregate.InnerExceptions.LastOrDefault() is ApiException last:
                failure.RetriesExhausted = true;
                failure.FromApiException(last);
                break;
            case ServiceException service:
                failure.Status = service.ResponseStatusCode;
                failure.FromBody(service.RawResponseBody);
                failure.ReadHeaders(service.ResponseHeaders?.ToDictionary(h => h.Key, h => h.Value));
                break;
            case ApiException api:
                failure.FromApiException(api);
                break;
            case OperationCanceledException when !cancellationToken.IsCancellationRequested:
                failure.IsTimeout = true;
                break;
            case HttpRequestException or IOException:
                failure.IsNetwork = true;
                break;
            default:
                failure.IsUnreadable = true;
                break;
        }

        failure.Message ??= error.Message;
        return failure;
    }

    private void FromApiException(ApiException api)
    {
        Status = api.ResponseStatusCode;
        ReadHeaders(api.ResponseHeaders);

        // The retry handler's ApiException carries the body after "HTTP request failed with status code: 429.".
        var text = api.Message;
        var brace = text.IndexOf('{');
        FromBody(brace >= 0 ? text.Substring(brace) : null);
    }

    private void FromBody(string? body)
    {
        if (string.IsNullOrEmpty(body))
        {
            return;
        }

        var explanation = Diagnostics.MailResponseCatalog.Default.Explain(body, MailProtocol.Graph);
        var server = explanation.ServerText;
        var colon = server.IndexOf(": ", StringComparison.Ordinal);
        if (explanation.Source == Diagnostics.MailResponseSource.Graph && colon > 0)
        {
            var head = server.Substring(0, colon).Split(' ');
            Code = head[head.Length - 1];
            Message = server.Substring(colon + 2);
        }

        RequestId ??= explanation.TraceId;
    }

    private void ReadHeaders(IDictionary<string, IEnumerable<string>>? headers)
    {
        if (headers is null)
        {
            return;
        }

        foreach (var header in headers)
        {
            var value = header.Value?.FirstOrDefault();
            if (value is null)
            {
                continue;
            }

            if (string.Equals(header.Key, "Retry-After", StringComparison.OrdinalIgnoreCase) && int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
            {
                RetryAfter = TimeSpan.FromSeconds(seconds);
            }
            else if (string.Equals(header.Key, "request-id", StringComparison.OrdinalIgnoreCase))
            {
                RequestId ??= value;
            }
        }
    }
}
