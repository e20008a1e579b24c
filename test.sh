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
# chromium is the browser of the search sample's web page test (Playwright drives it; nothing is downloaded); node and
# npm run the test oracles below (tiktoken, the Milvus Node SDK).
need=()
for pkg_cmd in podman:podman runc:runc debootstrap:debootstrap chromium:chromium nodejs:node npm:npm; do
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

# Every child process the tests start saves its stdout and stderr in $capture, test credentials are registered in
# $capture/markers, and reliability tests write their records in $records (see integration_tests/.../Suite/).
capture="$results/captured" records="$results/reliability"
mkdir -p "$capture" "$records" "$results/main" "$results/after"
export DESTINATION_MILVUS_SUITE_OUTPUT="$capture" DESTINATION_MILVUS_RELIABILITY_DIR="$records"

log "testing"
if [ $# -gt 0 ]; then
  # Arguments (e.g. a --filter) select tests by hand: the after-suite checks need the whole suite, so they do not run.
  dotnet test destination-milvus-dotnet/DestinationMilvus.slnx -c Release --no-build -nologo \
    --logger trx --results-directory "$results/main" "$@"
  rc=$? rc_after=0
else
  # Main run: every test except the after-suite checks (trait Category=AfterSuite); the console is kept for the scan.
  dotnet test destination-milvus-dotnet/DestinationMilvus.slnx -c Release --no-build -nologo \
    --logger trx --results-directory "$results/main" --filter "Category!=AfterSuite" 2>&1 | tee "$results/console.log"
  rc=${PIPESTATUS[0]}

  # The tests that exercise Milvus (client, check, write, faults, kill) once more against every other release the
  # Milvus test server reproduces (integration_tests/MilvusTestServer/Profiles; the main run used the default, 2.6.18),
  # with fewer trials each to stay within CI's time: kill scenarios 6 trials (auto_id 10), fault runs 5 syncs, each
  # with the full 2 MB/s limiter and 2-minute quota-denial window. A subset: MILVUS_TEST_PROFILES="2.4.12" ./test.sh
  # (empty: none).
  milvus_tests="FullyQualifiedName~IntegrationTests.Milvus.MilvusClientTests|FullyQualifiedName~IntegrationTests.Check.|FullyQualifiedName~IntegrationTests.CheckProcessTests|FullyQualifiedName~IntegrationTests.Writing.|FullyQualifiedName~IntegrationTests.WriteProcessTests|FullyQualifiedName~IntegrationTests.Faults."
  for profile in ${MILVUS_TEST_PROFILES-2.4.12 2.5.11 2.5.12 master zilliz-serverless zilliz-free}; do
    log "testing against Milvus profile $profile"
    MILVUS_TEST_PROFILE=$profile DESTINATION_MILVUS_KILL_TRIALS=6 DESTINATION_MILVUS_FAULT_SYNCS=5 \
      dotnet test integration_tests/Destination.Milvus.IntegrationTests/Destination.Milvus.IntegrationTests.csproj \
      -c Release --no-build -nologo --logger trx --results-directory "$results/main" --filter "$milvus_tests" 2>&1 | tee -a "$results/console.log"
    rc_profile=${PIPESTATUS[0]}
    [ "$rc_profile" -eq 0 ] || { log "dotnet test against Milvus profile $profile exited $rc_profile"; rc=$rc_profile; }
  done

  # After the suite: scan all captured output, the console log and the test results for secret markers (any hit
  # fails), and write RELIABILITY.md at the repo root from the reliability records and the scan's figures.
  log "after-suite checks: secret scan and RELIABILITY.md"
  DESTINATION_MILVUS_SUITE_CONSOLE="$results/console.log" DESTINATION_MILVUS_SUITE_TRX="$results/main" \
  DESTINATION_MILVUS_RELIABILITY_REPORT="$root/RELIABILITY.md" \
    dotnet test integration_tests/SuiteChecks/SuiteChecks.csproj -c Release --no-build -nologo \
    --logger trx --results-directory "$results/after" --filter "Category=AfterSuite" --logger "console;verbosity=normal"
  rc_after=$?
  [ "$rc_after" -eq 0 ] || log "after-suite checks exited $rc_after"
fi
[ "$rc" -eq 0 ] || log "dotnet test exited $rc"

. .ci/trx-counts.sh
passed=0 failed=0 skipped=0
count "$results/after"
after_passed=$passed
count "$results/main"
if [ $# -eq 0 ] && [ "$after_passed" -lt 2 ]; then
  log "the after-suite checks did not pass (secret scan and reliability report): counted as a failure"
  [ "$failed" -gt 0 ] || failed=1
fi
summary
[ "$rc" -eq 0 ] && [ "$rc_after" -eq 0 ] && [ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
