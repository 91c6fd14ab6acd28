namespace ModernAuth.Mail;

/// <summary>
/// Where tokens come from and where mail servers are, for one Microsoft cloud or for personal accounts.
/// Every value can be overridden with a <c>with</c> expression, for example
/// <c>MailCloud.UsGovernmentDod with { Smtp = new("smtp.example.us", 587, MailTlsMode.StartTls) }</c>.
/// </summary>
/// <remarks>
/// The sovereign-cloud values come from third-party configurations rather than an official Microsoft page;
/// the SMTP hosts of <see cref="UsGovernmentDod"/> and <see cref="China"/> are unconfirmed. Check them with
/// your tenant's documentation and override where needed.
/// </remarks>
public sealed record MailCloud
{
    /// <summary>Creates a cloud description. Start from one of the well-known clouds where possible.</summary>
    /// <param name="name">A short name used in messages.</param>
    /// <param name="authorityHost">The Entra ID host, for example <c>https://login.microsoftonline.com</c>.</param>
    /// <param name="exchangeResource">The Exchange Online resource, for example <c>https://outlook.office365.com</c>.</param>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public MailCloud(string name, Uri authorityHost, Uri exchangeResource)
    {
        Name = name ?? throw new ArgumentNullException(nameof(name));
        AuthorityHost = authorityHost ?? throw new ArgumentNullException(nameof(authorityHost));
        ExchangeResource = exchangeResource ?? throw new ArgumentNullException(nameof(exchangeResource));
        DelegatedScopeResource = exchangeResource;
        var host = exchangeResource.Host;
        Imap = new MailServerEndpoint(host, 993, MailTlsMode.Implicit);
        Pop = new MailServerEndpoint(host, 995, MailTlsMode.Implicit);
        Smtp = new MailServerEndpoint("smtp." + host, 587, MailTlsMode.StartTls);
        Ews = new Uri(exchangeResource, "/EWS/Exchange.asmx");
        GraphResource = GlobalGraph;
        Graph = GlobalGraph;
    }

    /// <summary>A short name used in messages, for example <c>Global</c>.</summary>
    public string Name { get; init; }

    /// <summary>The Entra ID (login) host.</summary>
    public Uri AuthorityHost { get; init; }

    /// <summary>
    /// The tenant to use when none is configured: <c>consumers</c> for personal accounts; <see langword="null"/>
    /// elsewhere (app-only flows then require a tenant, delegated flows use <c>organizations</c>).
    /// </summary>
    public string? DefaultTenant { get; init; }

    /// <summary>The Exchange resource: app-only flows ask for <c>{ExchangeResource}/.default</c>; delegated EWS asks for <c>{ExchangeResource}/EWS.AccessAsUser.All</c>.</summary>
    public Uri ExchangeResource { get; init; }

    /// <summary>The resource that prefixes delegated IMAP, POP and SMTP scopes (<c>https://outlook.office.com</c> in the global cloud).</summary>
    public Uri DelegatedScopeResource { get; init; }

    /// <summary>Whether app-only (client credentials) access exists. Personal accounts have none.</summary>
    public bool SupportsAppOnly { get; init; } = true;

    /// <summary>Whether the accounts are personal Microsoft accounts (outlook.com, hotmail.com, live.com).</summary>
    public bool IsPersonalAccounts { get; init; }

    /// <summary>The IMAP server.</summary>
    public MailServerEndpoint Imap { get; init; }

    /// <summary>The POP3 server.</summary>
    public MailServerEndpoint Pop { get; init; }

    /// <summary>The SMTP submission server.</summary>
    public MailServerEndpoint Smtp { get; init; }

    /// <summary>The EWS endpoint, or <see langword="null"/> where EWS is not offered (personal accounts).</summary>
    public Uri? Ews { get; init; }

    /// <summary>
    /// The Microsoft Graph resource: app-only flows ask for <c>{GraphResource}/.default</c>, delegated flows for
    /// <c>{GraphResource}/Mail.ReadWrite</c> and <c>{GraphResource}/Mail.Send</c>. Default <c>https://graph.microsoft.com</c>.
    /// </summary>
    public Uri GraphResource { get; init; }

    /// <summary>
    /// The Microsoft Graph service root, without the API version (<c>https://graph.microsoft.com</c> worldwide,
    /// <c>https://graph.microsoft.us</c> for US Government L4, <c>https://dod-graph.microsoft.us</c> for L5 (DoD),
    /// <c>https://microsoftgraph.chinacloudapi.cn</c> for China). Override it to reach a proxy or a test server.
    /// </summary>
    public Uri Graph { get; init; }

    private static Uri GlobalGraph { get; } = new("https://graph.microsoft.com");

    /// <summary>Exchange Online worldwide, including GCC.</summary>
    public static MailCloud Global { get; } = new("Global", new Uri("https://login.microsoftonline.com"), new Uri("https://outlook.office365.com"))
    {
        DelegatedScopeResource = new Uri("https://outlook.office.com"),
        Smtp = new MailServerEndpoint("smtp.office365.com", 587, MailTlsMode.StartTls),
    };

    /// <summary>Personal Microsoft accounts (outlook.com, hotmail.com, live.com): authority <c>/consumers</c>, no app-only access, no EWS.</summary>
    public static MailCloud PersonalAccounts { get; } = new("PersonalAccounts", new Uri("https://login.microsoftonline.com"), new Uri("https://outlook.office.com"))
    {
        DefaultTenant = "consumers",
        SupportsAppOnly = false,
        IsPersonalAccounts = true,
        Imap = new MailServerEndpoint("outlook.office365.com", 993, MailTlsMode.Implicit),
        Pop = new MailServerEndpoint("outlook.office365.com", 995, MailTlsMode.Implicit),
        Smtp = new MailServerEndpoint("smtp-mail.outlook.com", 587, MailTlsMode.StartTls),
        Ews = null,
    };

    /// <summary>US Government GCC High (Microsoft Graph: US Government L4, <c>https://graph.microsoft.us</c>).</summary>
    public static MailCloud UsGovernmentHigh { get; } = new("UsGovernmentHigh", new Uri("https://login.microsoftonline.us"), new Uri("https://outlook.office365.us"))
    {
        Smtp = new MailServerEndpoint("smtp.office365.us", 587, MailTlsMode.StartTls),
        GraphResource = new Uri("https://graph.microsoft.us"),
        Graph = new Uri("https://graph.microsoft.us"),
    };

    /// <summary>US Government DoD (Microsoft Graph: US Government L5, <c>https://dod-graph.microsoft.us</c>). The SMTP host is unconfirmed: override <see cref="Smtp"/> if yours differs.</summary>
    public static MailCloud UsGovernmentDod { get; } = new("UsGovernmentDod", new Uri("https://login.microsoftonline.us"), new Uri("https://outlook-dod.office365.us"))
    {
        Smtp = new MailServerEndpoint("smtp-dod.office365.us", 587, MailTlsMode.StartTls),
        GraphResource = new Uri("https://dod-graph.microsoft.us"),
        Graph = new Uri("https://dod-graph.microsoft.us"),
    };

    /// <summary>Microsoft 365 operated by 21Vianet (China). The SMTP host is unconfirmed: override <see cref="Smtp"/> if yours differs.</summary>
    public static MailCloud China { get; } = new("China", new Uri("https://login.partner.microsoftonline.cn"), new Uri("https://partner.outlook.cn"))
    {
        Smtp = new MailServerEndpoint("smtp.partner.outlook.cn", 587, MailTlsMode.StartTls),
        GraphResource = new Uri("https://microsoftgraph.chinacloudapi.cn"),
        Graph = new Uri("https://microsoftgraph.chinacloudapi.cn"),
    };

    /// <summary>The well-known clouds.</summary>
    public static IReadOnlyList<MailCloud> WellKnown { get; } = new[] { Global, PersonalAccounts, UsGovernmentHigh, UsGovernmentDod, China };

    /// <summary>Finds a well-known cloud by name (case-insensitive), also accepting <c>Personal</c>, <c>GccHigh</c>, <c>DoD</c>, <c>Gcc</c>.</summary>
    /// <param name="name">The name.</param>
    /// <param name="cloud">The cloud, when found.</param>
    /// <returns><see langword="true"/> when found.</returns>
    public static bool TryGetWellKnown(string? name, out MailCloud cloud)
    {
        cloud = Global;
        switch (name?.Trim().ToUpperInvariant())
        {
            case "GLOBAL" or "PUBLIC" or "COMMERCIAL" or "GCC" or "AZURECLOUD": cloud = Global; return true;
            case "PERSONAL" or "PERSONALACCOUNTS" or "CONSUMERS" or "MSA": cloud = PersonalAccounts; return true;
            case "USGOVERNMENTHIGH" or "GCCHIGH" or "USGOV": cloud = UsGovernmentHigh; return true;
            case "USGOVERNMENTDOD" or "DOD": cloud = UsGovernmentDod; return true;
            case "CHINA" or "21VIANET" or "AZURECHINACLOUD": cloud = China; return true;
            default: return false;
        }
    }

    /// <summary>The endpoint of <paramref name="protocol"/>.</summary>
    /// <param name="protocol">IMAP, POP or SMTP.</param>
    /// <returns>The endpoint.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="protocol"/> is EWS (use <see cref="Ews"/>) or Graph (use <see cref="Graph"/>).</exception>
    public MailServerEndpoint GetEndpoint(MailProtocol protocol) => protocol switch
    {
        MailProtocol.Imap => Imap,
        MailProtocol.Pop => Pop,
        MailProtocol.Smtp => Smtp,
        MailProtocol.Graph => throw new ArgumentOutOfRangeException(nameof(protocol), protocol, "Microsoft Graph has a URL, not a host and port: use MailCloud.Graph."),
        _ => throw new ArgumentOutOfRangeException(nameof(protocol), protocol, "EWS has a URL, not a host and port: use MailCloud.Ews."),
    };

    /// <summary>
    /// The scopes to request for <paramref name="protocol"/>. App-only: <c>{ExchangeResource}/.default</c>, or
    /// <c>{GraphResource}/.default</c> for Graph. Delegated: the protocol's scope with its resource prefix (for Graph
    /// <c>Mail.ReadWrite</c> and <c>Mail.Send</c>), plus <c>offline_access</c> so a refresh token is issued. Scopes of
    /// two resources are never mixed in one request (AADSTS28000).
    /// </summary>
    /// <param name="protocol">The protocol.</param>
    /// <param name="appOnly">Whether the flow is app-only.</param>
    /// <returns>The scopes.</returns>
    public IReadOnlyList<string> GetScopes(MailProtocol protocol, bool appOnly)
    {
        if (appOnly)
        {
            return new[] { Combine(protocol == MailProtocol.Graph ? GraphResource : ExchangeResource, ".default") };
        }

        if (protocol == MailProtocol.Graph)
        {
            return new[] { Combine(GraphResource, "Mail.ReadWrite"), Combine(GraphResource, "Mail.Send"), "offline_access" };
        }

        var scope = protocol switch
        {
            MailProtocol.Imap => Combine(DelegatedScopeResource, "IMAP.AccessAsUser.All"),
            MailProtocol.Pop => Combine(DelegatedScopeResource, "POP.AccessAsUser.All"),
            MailProtocol.Smtp => Combine(DelegatedScopeResource, "SMTP.Send"),
            MailProtocol.Ews => Combine(ExchangeResource, "EWS.AccessAsUser.All"),
            _ => throw new ArgumentOutOfRangeException(nameof(protocol), protocol, "Unknown protocol."),
        };
        return new[] { scope, "offline_access" };
    }

    private static string Combine(Uri resource, string scope) => resource.GetLeftPart(UriPartial.Authority) + "/" + scope;
}
