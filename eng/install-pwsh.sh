#!/usr/bin/env bash
# Installs PowerShell 7.6.10 (the PowerShell dotnet tool) for the module's tests into artifacts/tools/pwsh (ignored by
# git) and prints the path of its pwsh. Idempotent: when that version is there, it prints the path at once (about 0.1 s).
# 7.6.10 is pinned: the package source's newest (7.7.0) does not run on .NET 10.
# Usage: eng/install-pwsh.sh            (prints the pwsh path on standard output, progress on standard error)
set -euo pipefail
cd "$(dirname "$0")/.."
version=7.6.10
dir="$PWD/artifacts/tools/pwsh"
pwsh="$dir/pwsh"
if [ -x "$pwsh" ] && [ -d "$dir/.store/powershell/$version" ]; then
  echo "$pwsh"
  exit 0
fi
echo "installing PowerShell $version (dotnet tool) into artifacts/tools/pwsh" >&2
rm -rf "$dir"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet tool install PowerShell --version "$version" --tool-path "$dir" >&2
"$pwsh" -NoLogo -NoProfile -NonInteractive -Command '$PSVersionTable.PSVersion.ToString()' >&2
echo "$pwsh"
