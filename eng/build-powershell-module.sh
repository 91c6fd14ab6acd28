#!/usr/bin/env bash
# Lays out the PowerShell module ModernAuth.Mail as the PowerShell Gallery takes it, in artifacts/powershell/ModernAuth.Mail:
#   ModernAuth.Mail.psd1                       the manifest (src/ModernAuth.Mail.PowerShell)
#   ModernAuth.Mail.PowerShell.dll             the cmdlets (loaded by PowerShell; references only PowerShell, .NET, ModernAuth.Mail)
#   en-US/ModernAuth.Mail.PowerShell.dll-Help.xml   MAML help made from the cmdlets' XML docs (eng/powershell/New-ModuleHelp.ps1)
#   dependencies/                              everything else: loaded into the module's own AssemblyLoadContext (PowerShell 7)
# then checks it in a real pwsh (eng/install-pwsh.sh): the manifest is valid, its version is the repository's, it
# exports exactly the cmdlets the assembly has, and every cmdlet and parameter has help text.
# Usage: eng/build-powershell-module.sh [--no-build]   (--no-build: the Release build of the solution is done)
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 NO_COLOR=1
build=()
[ "${1:-}" = "--no-build" ] && build=(--no-build)
publish=artifacts/obj/powershell-publish
out=artifacts/powershell/ModernAuth.Mail
rm -rf "$publish" "$out"
mkdir -p artifacts/obj
if ! dotnet publish src/ModernAuth.Mail.PowerShell -c Release -o "$publish" -nologo -clp:NoSummary "${build[@]}" > artifacts/obj/powershell-publish.log 2>&1; then
  grep -E 'error|Error' artifacts/obj/powershell-publish.log | sort -u >&2 || cat artifacts/obj/powershell-publish.log >&2
  exit 1
fi
mkdir -p "$out/dependencies" "$out/en-US"
cp src/ModernAuth.Mail.PowerShell/ModernAuth.Mail.psd1 "$out/"
cp "$publish/ModernAuth.Mail.PowerShell.dll" "$out/"
for dll in "$publish"/*.dll; do
  [ "$(basename "$dll")" = ModernAuth.Mail.PowerShell.dll ] || cp "$dll" "$out/dependencies/"
done
pwsh=$(eng/install-pwsh.sh)
"$pwsh" -NoLogo -NoProfile -NonInteractive -File eng/powershell/New-ModuleHelp.ps1 \
  -ModulePath "$out" -XmlDocPath "$publish/ModernAuth.Mail.PowerShell.xml" -Version "$(sed -n 's:.*<VersionPrefix>\(.*\)</VersionPrefix>.*:\1:p' Directory.Build.props)"
echo "module: $out ($(find "$out" -type f | wc -l) files, $(du -sh "$out" | cut -f1))"
