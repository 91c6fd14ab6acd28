#!/usr/bin/env bash
# The offline sandbox, in one command, on a fresh Debian machine as root: installs and starts the local mail
# servers (eng/test-servers.sh: Dovecot and Postfix on loopback high ports, validating the fake Entra ID's
# tokens), then runs samples/Sandbox: tokens from the three flows through real MSAL, inspected, and a message
# sent over SMTP and read back over IMAP with XOAUTH2. The servers keep running afterwards; stop them with
# `eng/test-servers.sh stop`.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
eng/test-servers.sh start
eval "$(eng/test-servers.sh env)"
dotnet build samples/Sandbox -c Release -nologo -clp:NoSummary -v quiet
dotnet run --project samples/Sandbox -c Release --no-build
