#!/usr/bin/env bash
# Packs the modernauth-mail dotnet tool and proves the package installs and runs: a throwaway folder outside the
# repository gets a tool manifest, installs ModernAuth.Mail.Cli as a LOCAL tool from the packed folder, and runs
# `dotnet tool run modernauth-mail -- --help` and `... --sandbox token --protocol imap` (against the local servers of
# eng/test-servers.sh, which must be running: eng/test.sh starts them).
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
packages_root="${NUGET_PACKAGES:-$HOME/.nuget/packages}"
version="0.0.0-check.$(date +%s)"
cleanup() {
  rm -rf "$work"
  # The check version is throwaway: drop it from the global package folder again.
  rm -rf "$packages_root/modernauth.mail.cli/$version"
}
trap cleanup EXIT
dotnet pack src/ModernAuth.Mail.Cli -c Release -nologo -v quiet -o "$work/packages" -p:Version="$version" >/dev/null
mkdir -p "$work/app"
cd "$work/app"
dotnet new tool-manifest >/dev/null
dotnet tool install --add-source "$work/packages" ModernAuth.Mail.Cli --version "$version" >/dev/null
# `--` keeps dotnet from taking --help for itself.
dotnet tool run modernauth-mail -- --help >"$work/help.txt"
grep -q "modernauth-mail" "$work/help.txt"
dotnet tool run modernauth-mail --sandbox token --protocol imap >"$work/token.txt"
grep -q "IMAP.AccessAsApp" "$work/token.txt"
echo "tool check: ModernAuth.Mail.Cli $version installed as a local tool; --help and --sandbox token --protocol imap work"
