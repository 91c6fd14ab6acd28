#!/usr/bin/env bash
# Publishes the modernauth-mail tool as one self-contained executable per runtime, for machines without .NET (no SDK,
# no runtime): artifacts/cli/<rid>/modernauth-mail (linux-x64) and artifacts/cli/<rid>/modernauth-mail.exe (win-x64).
# The SDK picks the runtime pack versions (the newest .NET 10 patch it knows); restore fetches them like any package.
#
# Usage: eng/publish-cli.sh [--check] [rid ...]        (default rids: linux-x64 win-x64)
#   --check   also runs the linux-x64 executable the way a machine without .NET would: DOTNET_ROOT unset and a PATH
#             with no dotnet on it, `--version`, then `--sandbox test all` against eng/test-servers.sh's local servers
#             (which must be running: eng/test.sh starts them). Prints the sizes and the time taken.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
check=0
rids=()
for arg in "$@"; do
  case "$arg" in
    --check) check=1 ;;
    -*) echo "unknown option $arg (usage: eng/publish-cli.sh [--check] [rid ...])" >&2; exit 2 ;;
    *) rids+=("$arg") ;;
  esac
done
[ ${#rids[@]} -gt 0 ] || rids=(linux-x64 win-x64)
out=artifacts/cli
started=$(date +%s)

for rid in "${rids[@]}"; do
  rm -rf "${out:?}/$rid"
  # Single file: the managed assemblies inside the executable; the few native libraries of the runtime are extracted
  # to a temp folder on first run (IncludeNativeLibrariesForSelfExtract), so the download is one file. No symbols, no
  # XML docs of the libraries. The bundled assemblies are compressed (about half the size; they are decompressed into
  # memory at start, which costs a fraction of a second).
  dotnet publish src/ModernAuth.Mail.Cli -c Release -r "$rid" --self-contained \
    -p:PublishSingleFile=true -p:IncludeNativeLibrariesForSelfExtract=true -p:DebugType=none -p:PublishDocumentationFiles=false -p:EnableCompressionInSingleFile=true \
    -nologo -v quiet -clp:NoSummary -o "$out/$rid"
  exe="$out/$rid/modernauth-mail"
  [ "${rid%%-*}" = win ] && exe="$exe.exe"
  [ -f "$exe" ] || { echo "publish $rid: $exe is missing" >&2; exit 1; }
  extra=$(find "$out/$rid" -type f ! -name 'modernauth-mail' ! -name 'modernauth-mail.exe' | wc -l)
  [ "$extra" = 0 ] || { echo "publish $rid: more than one file:" >&2; find "$out/$rid" -type f >&2; exit 1; }
  echo "published $exe ($(( $(stat -c %s "$exe") / 1024 / 1024 )) MB)"
done

if [ "$check" = 1 ]; then
  exe="$out/linux-x64/modernauth-mail"
  [ -x "$exe" ] || { echo "--check needs the linux-x64 executable: eng/publish-cli.sh --check linux-x64" >&2; exit 2; }
  eval "$(eng/test-servers.sh env)"
  empty=$(mktemp -d)
  trap 'rm -rf "$empty"' EXIT
  # No dotnet anywhere it could be found: an empty PATH folder, DOTNET_ROOT unset, and the host must not fall back to
  # the machine's installed runtime (DOTNET_ROOT pointed nowhere would make a framework-dependent app fail at once).
  run() { env -u DOTNET_ROOT -u DOTNET_ROOT_X64 PATH="$empty" HOME="$empty" "$exe" "$@"; }
  run --version
  if ! run --sandbox test all > "$empty/test-all.log" 2>&1; then
    cat "$empty/test-all.log"
    echo "single-file check: --sandbox test all FAILED" >&2
    exit 1
  fi
  tail -n 1 "$empty/test-all.log"
fi
echo "publish-cli: ${rids[*]} in $(( $(date +%s) - started )) s"
