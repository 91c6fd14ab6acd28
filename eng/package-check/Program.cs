using ModernAuth.Mail;
using ModernAuth.Mail.Testing;

// A consumer of the packed packages: the five-line client-secret quick start against the packaged fake Entra ID.
await using var entra = new FakeEntraId();
entra.RegisterApplication("contoso.onmicrosoft.com", "11111111-0000-0000-0000-000000000001").WithSecret("package-check");
var options = new ClientSecretTokenProviderOptions().UseFakeEntraId(entra);
var provider = new ClientSecretTokenProvider("contoso.onmicrosoft.com", "11111111-0000-0000-0000-000000000001", "package-check", options);
var token = await provider.GetTokenAsync(new MailTokenRequest(MailProtocol.Imap, "shared@contoso.com"));
Console.WriteLine($"package check: {token}");
return token.IsJwt && token.Account == "shared@contoso.com" ? 0 : 1;
