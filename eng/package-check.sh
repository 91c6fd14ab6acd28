#!/usr/bin/env bash
# Packs the libraries and proves the packages install and work: a throwaway project outside the repository
# restores them from the packed files (plus the machine's usual sources), runs the client-secret quick start
# against the packaged fake Entra ID, verifies the token's signature with the Diagnostics package against the fake's
# published keys, and authenticates a MailKit client with the token through the MailKit adapter.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
packages_root="${NUGET_PACKAGES:-$HOME/.nuget/packages}"
cleanup() {
  rm -rf "$work"
  # The check versions are throwaway: drop them from the global package folder again.
  rm -rf "$packages_root/modernauth.mail/$version" "$packages_root/modernauth.mail.testing/$version" "$packages_root/modernauth.mail.mailkit/$version" "$packages_root/modernauth.mail.diagnostics/$version"
}
trap cleanup EXIT
version="0.0.0-check.$(date +%s)"
for project in src/ModernAuth.Mail src/ModernAuth.Mail.Testing src/ModernAuth.Mail.MailKit src/ModernAuth.Mail.Diagnostics; do
  dotnet pack "$project" -c Release -nologo -v quiet -o "$work/packages" -p:Version="$version" >/dev/null
done
mkdir -p "$work/app"
sed "s/@VERSION@/$version/" eng/package-check/PackageCheck.csproj.in > "$work/app/PackageCheck.csproj"
cp eng/package-check/Program.cs "$work/app/"
cat > "$work/app/nuget.config" <<CONFIG
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="packed" value="$work/packages" />
  </packageSources>
</configuration>
CONFIG
(cd "$work/app" && dotnet run -nologo -v quiet)
