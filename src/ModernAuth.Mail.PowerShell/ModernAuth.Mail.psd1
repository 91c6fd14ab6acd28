# The manifest of the PowerShell module ModernAuth.Mail, as published to the PowerShell Gallery.
# eng/build-powershell-module.sh lays the module out beside it (the cmdlets' assembly, its dependencies folder and
# the help); ModuleVersion follows the repository's version (Directory.Build.props), which a test checks.
@{
    RootModule           = 'ModernAuth.Mail.PowerShell.dll'
    ModuleVersion        = '0.1.0'
    CompatiblePSEditions = @('Desktop', 'Core')
    GUID                 = '5b0f3e6a-7c41-4d2e-9a8b-1f6c2d3e4a50'
    Author               = 'ModernAuth.Mail contributors'
    CompanyName          = 'ModernAuth.Mail contributors'
    Copyright            = 'Copyright (c) ModernAuth.Mail contributors'
    Description          = 'Send-MailMessage with OAuth 2.0 for Exchange Online and Outlook.com: Send-ModernAuthMailMessage takes the same parameters and signs in with an app registration (client secret or certificate) or a device code, then sends over SMTP (XOAUTH2), Microsoft Graph or EWS. Also: get and inspect tokens, test a mailbox end to end, and explain server errors with the fix.'
    PowerShellVersion    = '5.1'
    DotNetFrameworkVersion = '4.7.2'
    CmdletsToExport      = @(
        'Send-ModernAuthMailMessage'
        'Get-ModernAuthMailToken'
        'Test-ModernAuthMail'
        'Test-ModernAuthMailToken'
        'Resolve-ModernAuthMailError'
    )
    FunctionsToExport    = @()
    AliasesToExport      = @()
    VariablesToExport    = @()
    PrivateData          = @{
        PSData = @{
            Prerelease   = 'preview'
            Tags         = @('OAuth', 'OAuth2', 'XOAUTH2', 'SMTP', 'Email', 'Send-MailMessage', 'ExchangeOnline', 'Office365', 'Outlook', 'MicrosoftGraph', 'BasicAuth', 'PSEdition_Desktop', 'PSEdition_Core', 'Windows', 'Linux', 'MacOS')
            LicenseUri   = 'https://github.com/modernauth-mail/modernauth-mail/blob/main/LICENSE'
            ProjectUri   = 'https://github.com/modernauth-mail/modernauth-mail'
            ReleaseNotes = 'https://github.com/modernauth-mail/modernauth-mail/blob/main/CHANGELOG.md'
        }
    }
}
