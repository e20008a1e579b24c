#!/usr/bin/env bash
# Runs every test of the project on a fresh Debian machine with the .NET 10 SDK.
# Installs what is missing (npm packages of the test oracles; apt packages when a test needs them),
# builds the solution, runs all test projects and prints one closing line "N passed, N failed, N skipped".
# Exit code: non-zero when any test failed, the build failed, or no test ran.
set -uo pipefail
cd "$(dirname "$0")"
root=$(pwd)

log() { printf '[test.sh] %s\n' "$*" >&2; }

# Debian packages the tests need: podman, runc and debootstrap build and run the Docker image (no Docker engine here);
# chromium is the browser of the search sample's web page test (Playwright drives it; nothing is downloaded).
need=()
for pkg_cmd in podman:podman runc:runc debootstrap:debootstrap chromium:chromium; do
  pkg=${pkg_cmd%%:*} cmd=${pkg_cmd##*:}
  command -v "$cmd" >/dev/null 2>&1 || [ -x "/usr/sbin/$cmd" ] || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  log "apt-get install ${need[*]}"
  if [ "$(id -u)" -eq 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null \
      || { log "apt-get install ${need[*]} failed"; exit 1; }
  else
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null \
      || { log "apt-get install ${need[*]} failed (needs root)"; exit 1; }
  fi
fi

# npm packages used by test oracles (tiktoken WASM, the Milvus Node SDK): one folder per package.json.
while IFS= read -r lock; do
  dir=$(dirname "$lock")
  if [ ! -d "$dir/node_modules" ] || [ "$lock" -nt "$dir/node_modules" ]; then
    log "npm ci in $dir"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error) || { log "npm ci failed in $dir"; exit 1; }
  fi
done < <(find integration_tests destination-milvus-dotnet -name package-lock.json -not -path '*/node_modules/*' 2>/dev/null)

results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT

log "building"
if ! dotnet build destination-milvus-dotnet/DestinationMilvus.slnx -c Release -nologo -clp:ErrorsOnly; then
  echo "0 passed, 1 failed"
  log "build failed"
  exit 1
fi

# Everything the tests' child processes print is kept, and the console of the run too, so that the after-suite checks
# can scan all of it for the marker credentials the tests use; reliability tests leave records for RELIABILITY.md.
export DESTINATION_MILVUS_SUITE_OUTPUT="$results/suite-output"
export DESTINATION_MILVUS_RELIABILITY_DIR="$results/reliability"
export DESTINATION_MILVUS_SECRET_MARKERS="$results/secret-markers.txt"
export DESTINATION_MILVUS_SUITE_CONSOLE="$results/console.log"
mkdir -p "$DESTINATION_MILVUS_SUITE_OUTPUT" "$DESTINATION_MILVUS_RELIABILITY_DIR"
: > "$DESTINATION_MILVUS_SECRET_MARKERS"

log "testing"
if [ $# -eq 0 ]; then
  dotnet test destination-milvus-dotnet/DestinationMilvus.slnx -c Release --no-build -nologo \
    --logger trx --results-directory "$results" --filter "Category!=AfterSuite" 2>&1 | tee "$DESTINATION_MILVUS_SUITE_CONSOLE"
  rc=${PIPESTATUS[0]}
  log "after-suite checks (secret scan of all output, reliability report)"
  dotnet test integration_tests/Destination.Milvus.IntegrationTests/Destination.Milvus.IntegrationTests.csproj -c Release --no-build -nologo \
    --logger trx --results-directory "$results/after-suite" --filter "Category=AfterSuite"
  after=$?
  [ "$after" -eq 0 ] || rc=$after
  mv "$results"/after-suite/*.trx "$results"/ 2>/dev/null
else
  # Arguments (e.g. a --filter) select tests by hand: the after-suite checks need the whole suite, so they do not run.
  dotnet test destination-milvus-dotnet/DestinationMilvus.slnx -c Release --no-build -nologo \
    --logger trx --results-directory "$results" "$@"
  rc=$?
fi

passed=0 failed=0 skipped=0
for f in "$results"/*.trx; do
  [ -e "$f" ] || continue
  c=$(grep -o '<Counters [^>]*>' "$f" | head -n1)
  n() { local v; v=$(sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p" <<<"$c"); echo "${v:-0}"; }
  passed=$((passed + $(n passed)))
  failed=$((failed + $(n failed) + $(n error) + $(n timeout) + $(n aborted)))
  skipped=$((skipped + $(n total) - $(n executed)))
done
[ "$rc" -eq 0 ] || log "dotnet test exited $rc"
if [ "$skipped" -gt 0 ]; then
  echo "$passed passed, $failed failed, $skipped skipped"
else
  echo "$passed passed, $failed failed"
fi
[ "$rc" -eq 0 ] && [ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
