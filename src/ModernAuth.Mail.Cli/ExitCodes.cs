namespace ModernAuth.Mail.Cli;

/// <summary>The tool's exit codes (documented in docs/cli.md).</summary>
internal static class ExitCodes
{
    /// <summary>Everything worked (inspect: no finding is an error; explain: the reply was recognised).</summary>
    public const int Ok = 0;

    /// <summary>The operation failed: a step of <c>test</c>, an unreachable server, an error finding, an unrecognised reply.</summary>
    public const int Failure = 1;

    /// <summary>The command line is wrong: unknown option, missing argument, value not allowed.</summary>
    public const int Usage = 2;

    /// <summary>Configuration is missing or invalid: tenant, client id, secret, certificate, profile, servers.json.</summary>
    public const int Configuration = 3;

    /// <summary>The token service or the mail server refused the credentials or the token.</summary>
    public const int Authentication = 4;

    /// <summary>Cancelled with Ctrl+C (128 + SIGINT, as shells report it).</summary>
    public const int Cancelled = 130;
}
