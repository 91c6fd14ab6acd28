using System.Net;
using System.Net.Sockets;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Identity;
using ModernAuth.Mail;
using ModernAuth.Mail.AzureIdentity;
using ModernAuth.Mail.Diagnostics;
using ModernAuth.Mail.MailKit;
using ModernAuth.Mail.Testing;

// A consumer of the packed packages: the five-line client-secret quick start against the packaged fake Entra ID.
await using var entra = new FakeEntraId();
entra.RegisterApplication("contoso.onmicrosoft.com", "11111111-0000-0000-0000-000000000001").WithSecret("package-check");
var options = new ClientSecretTokenProviderOptions().UseFakeEntraId(entra);
var provider = new ClientSecretTokenProvider("contoso.onmicrosoft.com", "11111111-0000-0000-0000-000000000001", "package-check", options);
var token = await provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap, "shared@contoso.com"));
Console.WriteLine($"package check: {token} on .NET {Environment.Version}");

// Over HTTPS loopback too: the fake makes its server certificate with the runtime's X.509 and ASN.1 code, where a
// net8.0 app on a newer runtime once failed (MissingMethodException in System.Formats.Asn1).
await using (var https = await entra.StartHttpsServerAsync())
{
    var overHttps = new ClientSecretTokenProvider("contoso.onmicrosoft.com", "11111111-0000-0000-0000-000000000001", "package-check", new ClientSecretTokenProviderOptions().UseFakeEntraId(https));
    var httpsToken = await overHttps.GetTokenAsync(new MailTokenRequest(MailProtocol.Smtp, "shared@contoso.com"));
    Console.WriteLine($"package check: over HTTPS {httpsToken}, signing key {entra.ExportSigningPublicKeyPem().Length} characters of PEM");

    // The Azure.Identity bridge, both ways: a real ClientSecretCredential as a MailTokenProvider, and a provider as a
    // TokenCredential (Azure.Core's dependency graph must load on every runtime the app runs on, like MailKit's).
    using var azureTransport = https.CreateTrustingHandler();
    var credential = new ClientSecretCredential("contoso.onmicrosoft.com", "11111111-0000-0000-0000-000000000001", "package-check",
        new ClientSecretCredentialOptions { AuthorityHost = https.BaseAddress, DisableInstanceDiscovery = true, Transport = new HttpClientTransport(azureTransport) });
    var bridged = await credential.AsMailTokenProvider().GetTokenAsync(new MailTokenRequest(MailProtocol.Imap, "shared@contoso.com"));
    var back = overHttps.AsTokenCredential().GetToken(new TokenRequestContext(new[] { "https://graph.microsoft.com/.default" }), default);
    Console.WriteLine($"package check: Azure.Identity bridge {bridged}; as TokenCredential, a Graph token until {back.ExpiresOn:u}");
    if (!bridged.IsJwt || string.IsNullOrEmpty(back.Token))
    {
        return 1;
    }
}

// The Diagnostics package: the token's signature against the keys the (fake) authority publishes.
using var keysTransport = entra.CreateHandler();
var validator = new TokenSignatureValidator(new TokenSignatureValidatorOptions { AuthorityHost = entra.AuthorityHost, Transport = keysTransport });
var signature = await validator.ValidateAsync(token.Token);
Console.WriteLine($"package check: signature {string.Join(", ", signature.Select(f => f.Code))}");
if (!signature.Any(f => f.Code == MailFindingCodes.SignatureValid))
{
    return 1;
}

// The MailKit adapter: a loopback IMAP server that offers XOAUTH2 and accepts the first AUTHENTICATE.
using var listener = new TcpListener(IPAddress.Loopback, 0);
listener.Start();
var server = Task.Run(async () =>
{
    using var socket = await listener.AcceptTcpClientAsync();
    using var reader = new StreamReader(socket.GetStream());
    using var writer = new StreamWriter(socket.GetStream()) { NewLine = "\r\n", AutoFlush = true };
    await writer.WriteLineAsync("* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=XOAUTH2] package check");
    while (await reader.ReadLineAsync() is { } line)
    {
        var tag = line.Split(' ')[0];
        var command = line.Split(' ').ElementAtOrDefault(1);
        await writer.WriteLineAsync(command switch
        {
            "AUTHENTICATE" => $"{tag} OK [CAPABILITY IMAP4rev1] AUTHENTICATE completed",
            _ => $"{tag} OK done",
        });
    }
});
var connect = new MailKitConnectOptions { Host = "127.0.0.1", Port = ((IPEndPoint)listener.LocalEndpoint).Port, TlsMode = MailTlsMode.None };
using (var imap = await MailKitConnector.ConnectImapAsync(provider, "shared@contoso.com", options: connect))
{
    Console.WriteLine($"package check: IMAP authenticated = {imap.IsAuthenticated}");
    if (!imap.IsAuthenticated)
    {
        return 1;
    }

    await imap.DisconnectAsync(quit: false);
}

await server;
return token.IsJwt && token.Account == "shared@contoso.com" ? 0 : 1;
