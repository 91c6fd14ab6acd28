using System.ComponentModel;
using System.Net.Mail;
using MimeKit;
using ModernAuth.Mail.Diagnostics;
using ModernAuth.Mail.MailKit.Tests.Support;
using ModernAuth.Mail.Testing;

namespace ModernAuth.Mail.MailKit.Tests.SystemNetMail;

/// <summary>
/// <see cref="ModernAuthSmtpClient"/> against the real Postfix (XOAUTH2 checked by Dovecot), with tokens from real MSAL
/// and the fake Entra ID; messages read back over IMAP.
/// </summary>
[Collection(MailServersCollection.Name)]
[Trait("Category", "RealServers")]
public sealed class ModernAuthSmtpClientTests
{
    private static readonly TimeSpan Bounded = TimeSpan.FromSeconds(60);
    private readonly MailServers _servers;

    public ModernAuthSmtpClientTests(MailServers servers) => _servers = servers;

    [Fact]
    public async Task Send_TextWithCcAndBcc_EveryRecipientGetsItAndNoBccHeader()
    {
        using var identity = new TestIdentity(_servers);
        var provider = identity.CreateProvider(Flow.ClientSecret);
        string from = MailServers.NewMailbox("from"), to = MailServers.NewMailbox("to"), cc = MailServers.NewMailbox("cc"), bcc = MailServers.NewMailbox("bcc");
        var subject = $"Drop-in {Guid.NewGuid():N}";
        using var client = new ModernAuthSmtpClient(provider, _servers.ConnectOptions(MailProtocol.Smtp));
        using var message = new MailMessage(from, to, subject, "Hello from old code.");
        message.CC.Add(cc);
        message.Bcc.Add(bcc);

        client.Send(message);

        foreach (var mailbox in new[] { to, cc, bcc })
        {
            var received = await ReadBackAsync(provider, mailbox, subject);
            Assert.Equal(from, Assert.Single(received.From.Mailboxes).Address);
            Assert.Equal(cc, Assert.Single(received.Cc.Mailboxes).Address);
            Assert.False(received.Headers.Contains(HeaderId.Bcc));
            Assert.Equal("Hello from old code.", received.TextBody!.TrimEnd());
        }
    }

    [Fact]
    public async Task SendShortForms_FromToSubjectBody_ArriveForEachCommaSeparatedRecipient()
    {
        using var identity = new TestIdentity(_servers);
        var provider = identity.CreateProvider(Flow.ClientCertificate);
        string from = MailServers.NewMailbox("from"), first = MailServers.NewMailbox("one"), second = MailServers.NewMailbox("two");
        var subject = $"Short form {Guid.NewGuid():N}";
        using var client = new ModernAuthSmtpClient(provider, _servers.ConnectOptions(MailProtocol.Smtp));

        client.Send(from, first + "," + second, subject + " sync", "Body.");
        await client.SendMailAsync(from, first, subject + " async", "Body.");

        Assert.Equal(subject + " sync", (await ReadBackAsync(provider, second, subject + " sync")).Subject);
        Assert.Equal(subject + " async", (await ReadBackAsync(provider, first, subject + " async")).Subject);
    }

    [Fact]
    public async Task Send_UnderASingleThreadedContextWithAProviderThatCapturesIt_DoesNotDeadlock()
    {
        using var identity = new TestIdentity(_servers);
        var provider = new ContextCapturingProvider(identity.CreateProvider(Flow.ClientSecret));
        var mailbox = MailServers.NewMailbox("ui");
        var subject = $"WinForms button {Guid.NewGuid():N}";
        using var context = new SingleThreadSynchronizationContext();
        using var client = new ModernAuthSmtpClient(provider, _servers.ConnectOptions(MailProtocol.Smtp));

        // What a button handler in WinForms (or a classic ASP.NET page) does: a blocking Send on the UI thread.
        var ranOn = await context.RunAsync(() =>
        {
            using var message = new MailMessage(mailbox, mailbox, subject, "Sent from the UI thread.");
            client.Send(message);
            return Environment.CurrentManagedThreadId;
        }).WaitAsync(Bounded);

        Assert.Equal(context.ThreadId, ranOn);
        Assert.NotNull(await ReadBackAsync(provider, mailbox, subject));
        // The provider ran off the UI thread's context: that is why its continuation could not deadlock.
        Assert.Null(provider.SeenContext);
    }

    [Fact]
    public async Task Send_UnderASingleThreadedContextWithATransportThatCapturesIt_DoesNotDeadlock()
    {
        using var context = new SingleThreadSynchronizationContext();
        using var transport = new RecordingTransport();
        using var client = new ModernAuthSmtpClient(transport);

        // A naive Send (SendMailAsync(...).GetAwaiter().GetResult() on this thread) would call the transport here, its
        // continuation would be posted to this blocked thread, and the wait would never end.
        await context.RunAsync(() =>
        {
            client.Send("a@contoso.test", "b@contoso.test", "Blocking send", "x");
            return 0;
        }).WaitAsync(Bounded);

        Assert.Equal("Blocking send", Assert.Single(transport.Sent).Message.Subject);
        Assert.Null(transport.SeenContext);
    }

    [Fact]
    public async Task SendAsync_OnAUiContext_RaisesSendCompletedOnThatThreadWithTheUserToken()
    {
        using var identity = new TestIdentity(_servers);
        var provider = identity.CreateProvider(Flow.ClientSecret);
        var mailbox = MailServers.NewMailbox("evt");
        var subject = $"Event-based {Guid.NewGuid():N}";
        using var context = new SingleThreadSynchronizationContext();
        using var client = new ModernAuthSmtpClient(provider, _servers.ConnectOptions(MailProtocol.Smtp));
        var completed = new TaskCompletionSource<(AsyncCompletedEventArgs Args, int Thread)>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.SendCompleted += (sender, e) => completed.TrySetResult((e, Environment.CurrentManagedThreadId));

        await context.RunAsync(() =>
        {
            client.SendAsync(new MailMessage(mailbox, mailbox, subject, "Event-based."), "user-token-1");
            return 0;
        });
        var (args, thread) = await completed.Task.WaitAsync(Bounded);

        Assert.Null(args.Error);
        Assert.False(args.Cancelled);
        Assert.Equal("user-token-1", args.UserState);
        Assert.Equal(context.ThreadId, thread);
        Assert.NotNull(await ReadBackAsync(provider, mailbox, subject));
    }

    [Fact]
    public async Task SendAsyncCancel_WhileWaitingForTheToken_SendCompletedSaysCancelledAndTheClientIsFreeAgain()
    {
        using var identity = new TestIdentity(_servers);
        var provider = new ScriptedTokenProvider(true, identity.MintAppOnly()) { WaitForCancellation = true };
        var mailbox = MailServers.NewMailbox("cancel");
        using var client = new ModernAuthSmtpClient(provider, _servers.ConnectOptions(MailProtocol.Smtp));
        var completed = new TaskCompletionSource<AsyncCompletedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.SendCompleted += (_, e) => completed.TrySetResult(e);

        client.SendAsync(new MailMessage(mailbox, mailbox, "Never sent", "x"), 42);
        Assert.Throws<InvalidOperationException>(() => client.Send(new MailMessage(mailbox, mailbox, "Second", "x")));
        await WaitUntilAsync(() => provider.Requests.Count > 0);
        client.SendAsyncCancel();
        var args = await completed.Task.WaitAsync(Bounded);

        Assert.True(args.Cancelled);
        Assert.Null(args.Error);
        Assert.Equal(42, args.UserState);
        // Free again: the next send gets as far as asking for a token (and is cancelled by its caller).
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.SendMailAsync(new MailMessage(mailbox, mailbox, "Third", "x"), cancel.Token));
    }

    [Fact]
    public async Task SendMailAsync_Cancelled_ThrowsOperationCanceledExceptionUnwrapped()
    {
        using var identity = new TestIdentity(_servers);
        var provider = new ScriptedTokenProvider(true, identity.MintAppOnly()) { WaitForCancellation = true };
        var mailbox = MailServers.NewMailbox("cancel");
        using var client = new ModernAuthSmtpClient(provider, _servers.ConnectOptions(MailProtocol.Smtp));
        using var cancel = new CancellationTokenSource();
        using var message = new MailMessage(mailbox, mailbox, "Cancelled", "x");

        var send = client.SendMailAsync(message, cancel.Token);
        await WaitUntilAsync(() => provider.Requests.Count > 0);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => send);
    }

    [Fact]
    public async Task Send_TakesLongerThanTimeout_SmtpExceptionTimedOutLikeSmtpClient()
    {
        using var identity = new TestIdentity(_servers);
        var provider = new ScriptedTokenProvider(true, identity.MintAppOnly()) { WaitForCancellation = true };
        var mailbox = MailServers.NewMailbox("slow");
        using var client = new ModernAuthSmtpClient(provider, _servers.ConnectOptions(MailProtocol.Smtp)) { Timeout = 500 };
        using var message = new MailMessage(mailbox, mailbox, "Slow", "x");

        var error = await Task.Run(() => Assert.Throws<SmtpException>(() => client.Send(message))).WaitAsync(Bounded);

        Assert.Equal("The operation has timed out.", error.Message);
        Assert.IsAssignableFrom<OperationCanceledException>(error.InnerException);
    }

    [Fact]
    public async Task Send_WrongClientSecret_SmtpExceptionWithTheRemedyAndOurErrorCodeInside_NoSecretAnywhere()
    {
        using var identity = new TestIdentity(_servers);
        var logs = new CapturingLoggerProvider();
        const string WrongSecret = "Wrong~Secret.Value-0123456789abcdef";
        var provider = new ClientSecretTokenProvider(
            _servers.TenantId,
            identity.ClientId,
            WrongSecret,
            new ClientSecretTokenProviderOptions { LoggerFactory = logs.CreateFactory() }.UseFakeEntraId(identity.Fake));
        var options = _servers.ConnectOptions(MailProtocol.Smtp);
        options.LoggerFactory = logs.CreateFactory();
        var mailbox = MailServers.NewMailbox("bad");
        using var client = new ModernAuthSmtpClient(provider, options);
        using var message = new MailMessage(mailbox, mailbox, "Never sent", "x");

        var error = await Task.Run(() => Assert.Throws<SmtpException>(() => client.Send(message)));

        var inner = Assert.IsType<MailAuthenticationException>(error.InnerException);
        Assert.Equal(MailErrorCodes.InvalidClientSecret, inner.ErrorCode);
        Assert.Contains("Fix: " + inner.Remedy.Trim(), error.Message, StringComparison.Ordinal);
        Assert.Equal(SmtpStatusCode.GeneralFailure, error.StatusCode);
        foreach (var text in new[] { error.ToString(), logs.AllText })
        {
            Assert.DoesNotContain(WrongSecret, text, StringComparison.Ordinal);
            Assert.DoesNotContain(identity.Secret, text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Send_ServerRejectsTheToken_SmtpException535WithTheServersWords_NoTokenInExceptionLogsOrProtocolLog()
    {
        using var identity = new TestIdentity(_servers);
        var mailbox = MailServers.NewMailbox("rej");
        var token = identity.MintDelegated(mailbox, MailProtocol.Smtp, d => d.Audience = "https://graph.microsoft.com");
        var provider = new ScriptedTokenProvider(false, token);
        var logs = new CapturingLoggerProvider();
        var protocolLog = new CapturingProtocolLogger();
        var options = _servers.ConnectOptions(MailProtocol.Smtp);
        options.LoggerFactory = logs.CreateFactory();
        options.ProtocolLogger = protocolLog;
        using var client = new ModernAuthSmtpClient(provider, options);
        using var message = new MailMessage(mailbox, mailbox, "Never sent", "x");

        var error = await Assert.ThrowsAsync<SmtpException>(() => client.SendMailAsync(message));

        Assert.Equal((SmtpStatusCode)535, error.StatusCode);
        var inner = Assert.IsType<MailAuthenticationException>(error.InnerException);
        Assert.Equal(MailFindingCodes.WrongAudience, inner.ErrorCode);
        Assert.Contains("535 5.7.8", inner.ServerResponse, StringComparison.Ordinal);
        Assert.Contains(inner.Remedy.Trim(), error.Message, StringComparison.Ordinal);
        Assert.Contains("AUTH XOAUTH2", protocolLog.Text, StringComparison.Ordinal);
        foreach (var text in new[] { error.ToString(), logs.AllText, protocolLog.Text })
        {
            Assert.DoesNotContain(token, text, StringComparison.Ordinal);
            Assert.DoesNotContain(Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes($"user={mailbox}\u0001auth=Bearer {token}\u0001\u0001")), text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Send_DeliveryNotificationOptions_SentAsDsnNotifyOnEachRecipient()
    {
        using var identity = new TestIdentity(_servers);
        var provider = identity.CreateProvider(Flow.ClientSecret);
        var mailbox = MailServers.NewMailbox("dsn");
        var subject = $"DSN {Guid.NewGuid():N}";
        var protocolLog = new CapturingProtocolLogger();
        var options = _servers.ConnectOptions(MailProtocol.Smtp);
        options.ProtocolLogger = protocolLog;
        using (var client = new ModernAuthSmtpClient(provider, options))
        {
            using var message = new MailMessage(mailbox, mailbox, subject, "x") { DeliveryNotificationOptions = DeliveryNotificationOptions.OnFailure | DeliveryNotificationOptions.Delay };
            await client.SendMailAsync(message);
            using var second = new MailMessage(mailbox, mailbox, subject + " never", "x") { DeliveryNotificationOptions = DeliveryNotificationOptions.Never };
            await client.SendMailAsync(second);
        }

        Assert.Contains($"RCPT TO:<{mailbox}> NOTIFY=FAILURE,DELAY", protocolLog.Text, StringComparison.Ordinal);
        Assert.Contains($"RCPT TO:<{mailbox}> NOTIFY=NEVER", protocolLog.Text, StringComparison.Ordinal);
        // Two sends, two connections, one logger lent to both: still readable once the client is disposed.
        Assert.Equal(2, CountOf(protocolLog.Text, "MAIL FROM:<" + mailbox + ">"));
        Assert.NotNull(await ReadBackAsync(provider, mailbox, subject));
    }

    [Fact]
    public async Task Send_ServerRefusesOneOfTwoRecipients_SendsToTheOtherThenThrowsSmtpFailedRecipientException()
    {
        const string Good = "good@contoso.test", Bad = "unknown@contoso.test", Worse = "gone@contoso.test";
        await using var server = new ScriptedMailServer(MailProtocol.Smtp, _ => "235 2.7.0 Authentication successful") { RefusedRecipients = [Bad, Worse] };
        using var identity = new TestIdentity(_servers);
        using var client = new ModernAuthSmtpClient(new ScriptedTokenProvider(true, identity.MintAppOnly()), server.ConnectOptions());
        Assert.False(client.EnableSsl); // allowed: the scripted server is on loopback

        using var one = new MailMessage(Good, Good + "," + Bad, "Partly refused", "x");
        var single = Assert.Throws<SmtpFailedRecipientException>(() => client.Send(one));
        Assert.Equal(Bad, single.FailedRecipient!.Trim('<', '>'));
        Assert.Equal(SmtpStatusCode.MailboxUnavailable, single.StatusCode);
        Assert.Equal(1, server.MessagesAccepted);

        using var two = new MailMessage(Good, Bad + "," + Worse, "All refused", "x");
        var all = await Assert.ThrowsAsync<SmtpFailedRecipientsException>(() => client.SendMailAsync(two));
        Assert.Equal(2, all.InnerExceptions.Length);
        Assert.Equal(1, server.MessagesAccepted);
    }

    [Fact]
    public void Members_InvalidUse_ClearExceptionsBeforeAnyConnection()
    {
        var provider = new ScriptedTokenProvider(true, "unused");
        using var client = new ModernAuthSmtpClient(provider);
        Assert.Equal("smtp.office365.com", client.Host);
        Assert.Equal(587, client.Port);
        Assert.True(client.EnableSsl);
        Assert.Equal(100_000, client.Timeout);

        Assert.Equal("A from address must be specified.", Assert.Throws<InvalidOperationException>(() => client.Send(new MailMessage { To = { "a@contoso.test" } })).Message);
        Assert.Equal("A recipient must be specified.", Assert.Throws<InvalidOperationException>(() => client.Send(new MailMessage { From = new MailAddress("a@contoso.test") })).Message);
        Assert.Throws<ArgumentNullException>(() => client.Send(null!));
        Assert.Throws<ArgumentOutOfRangeException>(() => client.Port = 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => client.Timeout = -2);
        Assert.Throws<ArgumentException>(() => client.Host = " ");
        Assert.Contains("pickup directory", Assert.Throws<NotSupportedException>(() => client.DeliveryMethod = SmtpDeliveryMethod.SpecifiedPickupDirectory).Message, StringComparison.Ordinal);

        client.EnableSsl = false;
        var clear = Assert.Throws<InvalidOperationException>(() => client.Send("a@contoso.test", "b@contoso.test", "x", "x"));
        Assert.Contains("clear text", clear.Message, StringComparison.Ordinal);
        Assert.Empty(provider.Requests);

        // Old code that sets Credentials does not compile ([Obsolete(error: true)] says why); a late-bound caller gets the same words.
        var credentials = typeof(ModernAuthSmtpClient).GetProperty("Credentials")!;
        var refused = Assert.Throws<System.Reflection.TargetInvocationException>(() => credentials.SetValue(client, new System.Net.NetworkCredential("a@contoso.test", "P@ssw0rd")));
        Assert.IsType<NotSupportedException>(refused.InnerException);
        Assert.DoesNotContain("P@ssw0rd", refused.InnerException!.Message, StringComparison.Ordinal);
        Assert.True(credentials.GetCustomAttributes(typeof(ObsoleteAttribute), false).Cast<ObsoleteAttribute>().Single().IsError);

        client.Dispose();
        Assert.Throws<ObjectDisposedException>(() => client.Send("a@contoso.test", "b@contoso.test", "x", "x"));
    }

    private static int CountOf(string text, string value)
    {
        var count = 0;
        for (var at = text.IndexOf(value, StringComparison.Ordinal); at >= 0; at = text.IndexOf(value, at + value.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var deadline = new CancellationTokenSource(Bounded);
        while (!condition())
        {
            await Task.Delay(10, deadline.Token);
        }
    }

    private async Task<MimeMessage> ReadBackAsync(MailTokenProvider provider, string mailbox, string subject)
    {
        // The IMAP side signs in as the recipient with an app-only token of the same test app.
        using var imap = await MailKitConnector.ConnectImapAsync(provider, provider.IsAppOnly ? mailbox : null, _servers.ConnectOptions(MailProtocol.Imap));
        var uid = await Messages.WaitForMessageAsync(imap, subject, Bounded);
        var message = await imap.Inbox.GetMessageAsync(uid);
        await imap.DisconnectAsync(true);
        return message;
    }
}
