#!/usr/bin/env bash
# Packs the libraries and proves the packages install and work, as a user gets them, in throwaway projects outside the
# repository that restore them from the packed files (plus the machine's usual sources):
#  1. a net10.0 app runs the client-secret quick start against the packaged fake Entra ID (in process and over HTTPS),
#     verifies the token's signature with the Diagnostics package against the fake's published keys,
#     authenticates a MailKit client with the token through the MailKit adapter, and gets tokens through the
#     Azure.Identity bridge both ways (a real ClientSecretCredential as a provider, a provider as a TokenCredential);
#  2. the same app built for net8.0 and run on the newest installed runtime (DOTNET_ROLL_FORWARD=Major), as a net8.0
#     app runs on a machine that has only a newer .NET;
#  3. every ```csharp block of README.md and docs/*.md compiles in a new console project (nullable on, warnings as
#     errors) against the packages: a drifted snippet fails here with the Markdown file and line.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
work=$(mktemp -d)
packages_root="${NUGET_PACKAGES:-$HOME/.nuget/packages}"
libraries=(ModernAuth.Mail ModernAuth.Mail.MailKit ModernAuth.Mail.Ews ModernAuth.Mail.Graph ModernAuth.Mail.AzureIdentity ModernAuth.Mail.Extensions ModernAuth.Mail.Testing ModernAuth.Mail.Relay ModernAuth.Mail.Diagnostics)
version="0.0.0-check.$(date +%s)"
cleanup() {
  rm -rf "$work"
  # The check versions are throwaway: drop them from the global package folder again.
  for library in "${libraries[@]}"; do
    rm -rf "$packages_root/${library,,}/$version"
  done
}
trap cleanup EXIT
for library in "${libraries[@]}"; do
  dotnet pack "src/$library" -c Release -nologo -v quiet -o "$work/packages" -p:Version="$version" >/dev/null
done
cat > "$work/nuget.config" <<CONFIG
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="packed" value="$work/packages" />
  </packageSources>
</configuration>
CONFIG

# The version Directory.Packages.props pins for a package, so the throwaway projects use what the repository tests.
pinned() {
  sed -n "s/.*<PackageVersion Include=\"$1\" Version=\"\([^\"]*\)\".*/\1/p" Directory.Packages.props | head -n 1
}

status=0
for tfm in net10.0 net8.0; do
  mkdir -p "$work/app-$tfm"
  sed "s/@VERSION@/$version/; s/@TFM@/$tfm/" eng/package-check/PackageCheck.csproj.in > "$work/app-$tfm/PackageCheck.csproj"
  cp eng/package-check/Program.cs "$work/app-$tfm/"
done
(cd "$work/app-net10.0" && dotnet run -nologo -v quiet) || status=1

# A net8.0 app on the newest runtime: the packages' dependency graph must not put a net8.0 build of a framework
# assembly (System.Formats.Asn1 through MailKit -> MimeKit -> System.Security.Cryptography.Pkcs) in front of the
# newer runtime's own, which the runtime's cryptography then calls (MissingMethodException).
newest=$(dotnet --list-runtimes | sed -n 's/^Microsoft.NETCore.App \([0-9.]*\) .*/\1/p' | sort -V | tail -n 1)
echo "package check: net8.0 app on Microsoft.NETCore.App $newest (DOTNET_ROLL_FORWARD=Major)"
(cd "$work/app-net8.0" && dotnet build -nologo -v quiet -o out >/dev/null && DOTNET_ROLL_FORWARD=Major dotnet out/PackageCheck.dll) || {
  echo "package check: the net8.0 app failed on the .NET $newest runtime" >&2
  status=1
}

# Every C# block of the docs, compiled as a user would.
mkdir -p "$work/snippets"
sed "s/@VERSION@/$version/; s/@HOSTING@/$(pinned Microsoft.Extensions.Hosting)/; s/@REDIS@/$(pinned Microsoft.Extensions.Caching.StackExchangeRedis)/; s/@XUNIT@/$(pinned xunit)/" \
  eng/doc-snippets/DocSnippets.csproj.in > "$work/snippets/DocSnippets.csproj"
echo 'Console.WriteLine("The documentation snippets compile.");' > "$work/snippets/Program.cs"
(cd "$repo" && awk -v OUT="$work/snippets" -f eng/doc-snippets/extract.awk README.md docs/*.md)
if ! (cd "$work/snippets" && dotnet build -nologo -v quiet -clp:NoSummary > build.log 2>&1); then
  # The messages name the Markdown file and line (#line directives), e.g. docs/ews.md(42,9): error CS0103: ...
  grep -E '(error|warning) [A-Z]+[0-9]+' "$work/snippets/build.log" | sed -E "s# \[[^]]*\]\$##; s#^$work/snippets/##" | sort -u >&2 || cat "$work/snippets/build.log" >&2
  echo "doc snippets: FAILED (a C# block of README.md or docs/ does not compile as it stands; mark a block that is deliberately partial with \`\`\`csharp fragment)" >&2
  status=1
else
  echo "doc snippets: every C# block of README.md and docs/ compiles"
fi
exit "$status"
