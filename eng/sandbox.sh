#!/usr/bin/env bash
# The offline sandbox, in one command, on a fresh Debian machine as root: installs and starts the local mail
# servers (eng/test-servers.sh: Dovecot and Postfix on loopback high ports, validating the fake Entra ID's
# tokens), builds the modernauth-mail tool once, and runs it with --sandbox: it starts a fake Entra ID itself,
# gets tokens through real MSAL with the three flows, inspects one, sends a message with an attachment over SMTP
# with XOAUTH2 and reads it back over IMAP with XOAUTH2 (`test all --find`). The servers keep running afterwards;
# stop them with `eng/test-servers.sh stop`.
# Usage: eng/sandbox.sh [--no-build]
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
eng/test-servers.sh start
eval "$(eng/test-servers.sh env)"
if [ "${1:-}" != "--no-build" ]; then
  dotnet build src/ModernAuth.Mail.Cli -c Release -nologo -clp:NoSummary -v quiet
fi
tool="src/ModernAuth.Mail.Cli/bin/Release/net10.0/modernauth-mail.dll"
modernauth_mail() { dotnet "$tool" --sandbox "$@"; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "== modernauth-mail --sandbox token --protocol smtp   (app-only, client secret)"
modernauth_mail token --protocol smtp
echo
echo "== modernauth-mail --sandbox token --protocol imap --flow certificate"
modernauth_mail token --protocol imap --flow certificate
echo
echo "== modernauth-mail --sandbox token --protocol imap --flow device-code   (a user signs in; the fake approves as Adele)"
modernauth_mail token --protocol imap --flow device-code --token-cache "$work/token-cache.bin"
echo "== the same again: silent from the token cache"
modernauth_mail token --protocol imap --flow device-code --token-cache "$work/token-cache.bin" 2>&1 | grep -E '^(account|fingerprint)'
echo
echo "== modernauth-mail --sandbox test imap --flow interactive   (a user signs in in the browser; a scripted browser signs in as Adele)"
modernauth_mail test imap --flow interactive --token-cache "$work/browser-token-cache.bin"
echo
echo "== modernauth-mail --sandbox token --protocol smtp --show | modernauth-mail --sandbox inspect - --protocol smtp --flow app"
modernauth_mail token --protocol smtp --show | modernauth_mail inspect - --protocol smtp --flow app --mailbox adele@contoso.test
echo
subject="Sandbox $(date +%s)-$$"
printf 'Sent with OAuth 2.0 through ModernAuth.Mail.\n' > "$work/hello.txt"
echo "== modernauth-mail --sandbox send --to adele@contoso.test --subject \"$subject\" --attach hello.txt"
modernauth_mail send --to adele@contoso.test --subject "$subject" --body "Hello from the sandbox." --attach "$work/hello.txt"
echo
echo "== modernauth-mail --sandbox test all --find \"$subject\"   (token, inspect, connect, authenticate, one operation; IMAP reads the message back)"
modernauth_mail test all --find "$subject"
echo
echo "Done: tokens from four flows, inspected, and mail sent over SMTP and read over IMAP with OAuth ($subject)."
