using ModernAuth.Mail.Cli.Configuration;
using ModernAuth.Mail.Tests.Shared;

namespace ModernAuth.Mail.Cli.Tests.Commands;

/// <summary>
/// Every provider setting is spelled one way: the settings type's property names, the tool's options, environment
/// variables and profile keys derived from them, and docs/configuration.md's table, which must list exactly those.
/// </summary>
public sealed class SettingsTableTests
{
    private static readonly IReadOnlyDictionary<string, string[]> Table = SettingsTable.Rows;

    [Fact]
    public void DocsTable_ListsEverySettingOnce()
    {
        Assert.Equal(MailTokenProviderSettings.SettingNames.OrderBy(s => s, StringComparer.Ordinal), Table.Keys.OrderBy(s => s, StringComparer.Ordinal));
    }

    [Fact]
    public void DocsTable_SpellsEachSettingAsTheToolDoes()
    {
        foreach (var (setting, cells) in Table)
        {
            var (option, environment, profile) = (SettingsTable.Cell(setting, "CLI option"), SettingsTable.Cell(setting, "CLI environment"), SettingsTable.Cell(setting, "profile key"));
            Assert.Equal($"`{SettingNames.Environment(setting)}`", environment);
            if (SettingNames.Secrets.Contains(setting))
            {
                Assert.Equal("(never)", option);
                Assert.Equal("(never)", profile);
            }
            else
            {
                Assert.StartsWith($"`{SettingNames.Option(setting)}`", option, StringComparison.Ordinal);
                Assert.Equal($"`{SettingNames.ProfileKey(setting)}`", profile);
            }
        }
    }

    [Fact]
    public void ConnectionOptions_OneOptionPerSetting_WithHelp()
    {
        var options = new ConnectionOptions();

        foreach (var setting in MailTokenProviderSettings.SettingNames)
        {
            Assert.True(ConnectionOptions.Help.ContainsKey(setting), $"{setting} has no help text");
            Assert.Equal(SettingNames.Option(setting), options.BySetting[setting].Name);
            Assert.Equal(SettingNames.Secrets.Contains(setting), options.BySetting[setting].Hidden);
        }
    }

    [Theory]
    [InlineData("ClientId", "--client-id", "MODERNAUTH_MAIL_CLIENT_ID", "clientId")]
    [InlineData("TokenCachePath", "--token-cache-path", "MODERNAUTH_MAIL_TOKEN_CACHE_PATH", "tokenCachePath")]
    [InlineData("AuthorityCertificatePath", "--authority-certificate-path", "MODERNAUTH_MAIL_AUTHORITY_CERTIFICATE_PATH", "authorityCertificatePath")]
    public void SettingNames_DerivedFromThePropertyName(string setting, string option, string environment, string profile)
    {
        Assert.Equal(option, SettingNames.Option(setting));
        Assert.Equal(environment, SettingNames.Environment(setting));
        Assert.Equal(profile, SettingNames.ProfileKey(setting));
    }
}
