// docs/ews-to-graph.md, "Errors and throttling": the block below is the doc's, word for word (EwsToGraphSnippetsTests runs it).
using ModernAuth.Mail;
using ModernAuth.Mail.Graph;

public static class HandleGraphErrors
{
    // EWS: ServiceResponseException.ErrorCode (ErrorServerBusy with BackOffMilliseconds, ErrorAccessDenied, ...).
    public static async Task<GraphMailFolder?> InboxOrNullAsync(GraphMailClient mail)
    {
        try
        {
            return await mail.GetFolderAsync(GraphWellKnownFolders.Inbox);
        }
        catch (GraphMailException e) when (e.IsRetryable)
        {
            // Throttled (429) or busy beyond the retries the client already made, honouring Retry-After.
            Console.Error.WriteLine($"Try again in {e.RetryAfter ?? TimeSpan.FromMinutes(1)}: {e.ErrorCode} ({e.GraphErrorCode})");
            return null;
        }
        catch (GraphMailException e)
        {
            // For example graph_access_policy_denied: the remedy names the PowerShell that lets the app in.
            Console.Error.WriteLine($"{e.ErrorCode}: {e.Message}\nFix: {e.Remedy}");
            return null;
        }
        catch (MailAuthenticationException e)
        {
            Console.Error.WriteLine($"{e.ErrorCode}: {e.Message}\nFix: {e.Remedy}");
            return null;
        }
    }
}
