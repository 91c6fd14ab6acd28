#!/usr/bin/env bash
# Runs the whole test suite on a fresh Debian machine, as root: installs and starts the real servers the
# tests use (Dovecot, Postfix, Redis — eng/test-servers.sh), builds everything in Release with warnings as
# errors, runs every test project, and stops the servers again. Prints "N passed, N failed" last.
# Usage: eng/test.sh [extra dotnet test arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

servers_started=0
cleanup() {
  # Stop only what this run started, so a developer's running servers are left alone.
  if [ "$servers_started" = 1 ]; then eng/test-servers.sh stop >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT

echo "== starting test servers (Dovecot, Postfix, Redis)"
if eng/test-servers.sh status >/dev/null 2>&1; then
  echo "   already running: left running afterwards"
else
  servers_started=1
fi
eng/test-servers.sh start
eval "$(eng/test-servers.sh env)"

echo "== building (Release, warnings as errors)"
dotnet build ModernAuth.Mail.sln -c Release -nologo -clp:NoSummary

# The PowerShell module as the Gallery takes it (manifest, help, dependencies folder), checked in a real pwsh; its tests
# run that folder (eng/install-pwsh.sh installs PowerShell 7.6.10 once, then answers at once).
echo "== PowerShell module (eng/build-powershell-module.sh)"
eng/build-powershell-module.sh --no-build

results=$(mktemp -d)
echo "== testing"
status=0
dotnet test ModernAuth.Mail.sln -c Release --no-build -nologo \
  --logger "trx;LogFilePrefix=results" --results-directory "$results" "$@" || status=$?

# The README's sandbox must keep working: run it against the same servers.
echo "== sandbox (eng/sandbox.sh: the modernauth-mail tool with --sandbox)"
if ! eng/sandbox.sh --no-build > "$results/sandbox.log" 2>&1; then
  cat "$results/sandbox.log"
  echo "sandbox: FAILED" >&2
  status=1
else
  tail -n 1 "$results/sandbox.log"
fi

# Every sample runs against the sandbox (the fake Entra ID they start, the local servers; EwsAppOnly starts a fake EWS
# server, the Graph samples a fake Graph).
for sample in Sandbox ClientSecretImap CertificateSmtp DeviceCodePersonalImap LegacySystemNetMail/Before LegacySystemNetMail/After EwsAppOnly GraphAppOnly GraphPersonal; do
  [ -d "samples/$sample" ] || continue
  echo "== sample (samples/$sample)"
  if ! dotnet run --project "samples/$sample" -c Release --no-build > "$results/sample.log" 2>&1; then
    cat "$results/sample.log"
    echo "sample $sample: FAILED" >&2
    status=1
  else
    tail -n 1 "$results/sample.log"
  fi
done

echo "== packages (eng/package-check.sh)"
if ! eng/package-check.sh; then
  echo "package check: FAILED" >&2
  status=1
fi

echo "== tool (eng/tool-check.sh)"
if ! eng/tool-check.sh; then
  echo "tool check: FAILED" >&2
  status=1
fi

# One plain closing line over every test project, read from the TRX files.
passed=0; failed=0; skipped=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  p=$(sed -E 's/.* passed="([0-9]+)".*/\1/' <<<"$counters"); f=$(sed -E 's/.* failed="([0-9]+)".*/\1/' <<<"$counters")
  n=$(sed -E 's/.* notExecuted="([0-9]+)".*/\1/' <<<"$counters")
  passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + n))
done
rm -rf "$results"
if [ "$passed" = 0 ] && [ "$status" = 0 ]; then
  echo "no test ran" >&2
  status=1
fi
echo "tests: $passed passed, $failed failed, $skipped skipped"
exit "$status"
