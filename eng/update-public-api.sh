#!/usr/bin/env bash
# Regenerates PublicAPI.Unshipped.txt of every packable project from the PublicApiAnalyzers' findings:
# adds new public symbols (RS0016) and drops removed ones (RS0017). Review the diff before committing.
# Usage: eng/update-public-api.sh [project.csproj ...]   (default: every project under src/)
set -euo pipefail
cd "$(dirname "$0")/.."
projects=("$@")
if [ ${#projects[@]} -eq 0 ]; then
  mapfile -t projects < <(grep -l '<IsLibrary>true</IsLibrary>' src/*/*.csproj)
fi
for proj in "${projects[@]}"; do
  dir=$(dirname "$proj")
  for f in PublicAPI.Shipped.txt PublicAPI.Unshipped.txt; do
    [ -f "$dir/$f" ] || : > "$dir/$f"
    grep -qx '#nullable enable' "$dir/$f" || { { echo '#nullable enable'; cat "$dir/$f"; } > "$dir/$f.tmp" && mv "$dir/$f.tmp" "$dir/$f"; }
  done
  log=$(mktemp)
  dotnet build "$proj" -nologo -clp:NoSummary -p:TreatWarningsAsErrors=false -p:WarningsAsErrors= --no-incremental > "$log" 2>&1 || true
  abs=$(realpath "$proj")
  grep -F "[$abs" "$log" > "$log.own" || true
  mv "$log.own" "$log"
  added=$(grep -oE "RS0016: Symbol '[^']+'" "$log" | sed -E "s/^RS0016: Symbol '(.*)'$/\1/" | sort -u || true)
  removed=$(grep -oE "RS0017: Symbol '[^']+'" "$log" | sed -E "s/^RS0017: Symbol '(.*)'$/\1/" | sort -u || true)
  {
    echo '#nullable enable'
    { grep -vx '#nullable enable' "$dir/PublicAPI.Unshipped.txt" || true
      [ -z "$added" ] || echo "$added"
    } | grep -v '^$' | grep -vxF -f <(printf '%s\n' "$removed" | grep -v '^$' || echo '@@none@@') | LC_ALL=C sort -u
  } > "$dir/PublicAPI.Unshipped.txt.new"
  mv "$dir/PublicAPI.Unshipped.txt.new" "$dir/PublicAPI.Unshipped.txt"
  echo "$proj: +$(printf '%s' "$added" | grep -c . || true) -$(printf '%s' "$removed" | grep -c . || true)"
  rm -f "$log"
done
