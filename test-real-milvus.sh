#!/usr/bin/env bash
# Runs the integration tests that support a real Milvus (Milvus client, check, write, hostile input) against one:
#   - MILVUS_URI set (with optional MILVUS_TOKEN, MILVUS_DB): that Milvus, e.g. your own or a Zilliz Cloud cluster;
#   - otherwise Milvus standalone from integration_tests/milvus-standalone/docker-compose.yml (MILVUS_VERSION,
#     MILVUS_PORT): started, waited for until healthy, used, then removed with its data.
# Without a Docker engine (and without MILVUS_URI) it skips with a message and exits 0; REAL_MILVUS_REQUIRED=1 turns
# that skip into a failure (CI). The same tests run against the Milvus test server in ./test.sh. Extra arguments go to
# `dotnet test`. Ends with "N passed, N failed[, N skipped]" like ./test.sh.
set -uo pipefail
cd "$(dirname "$0")"

log() { printf '[test-real-milvus.sh] %s\n' "$*" >&2; }

# The test classes that use MILVUS_URI when it is set (through MilvusTarget); the fault and kill tests need the
# test server's fault injection and stay in ./test.sh.
filter='FullyQualifiedName~Destination.Milvus.IntegrationTests.Milvus.MilvusClientTests'
filter+='|FullyQualifiedName~Destination.Milvus.IntegrationTests.Check.'
filter+='|FullyQualifiedName~Destination.Milvus.IntegrationTests.Writing.'
filter+='|FullyQualifiedName~Destination.Milvus.IntegrationTests.HostileInput.'
filter+='|FullyQualifiedName~Destination.Milvus.IntegrationTests.WriteProcessTests'

compose=(docker compose -f integration_tests/milvus-standalone/docker-compose.yml)
results=$(mktemp -d)
started=0
cleanup() {
  rm -rf "$results"
  if [ "$started" = 1 ]; then
    log "removing Milvus standalone and its data"
    "${compose[@]}" down --volumes --timeout 30 >/dev/null 2>&1 || log "docker compose down failed"
  fi
}
trap cleanup EXIT

skip() {
  if [ "${REAL_MILVUS_REQUIRED:-0}" = 1 ]; then
    log "no real Milvus: $1 (REAL_MILVUS_REQUIRED=1)"
    echo "0 passed, 1 failed"
    exit 1
  fi
  echo "Skipped: no real Milvus to test against: $1. The same tests run against the Milvus test server in ./test.sh;" \
    "set MILVUS_URI (and MILVUS_TOKEN) to use a Milvus of your own."
  exit 0
}

if [ -z "${MILVUS_URI:-}" ]; then
  command -v docker >/dev/null 2>&1 || skip "the docker command is not installed"
  engine_error=$(docker info --format '{{.ServerVersion}}' 2>&1 >/dev/null) || skip "no Docker engine answers (${engine_error//$'\n'/ })"
  docker compose version >/dev/null 2>&1 || skip "the Docker Compose plugin is missing (docker compose version failed)"

  log "starting Milvus standalone ${MILVUS_VERSION:-(compose default)} on 127.0.0.1:${MILVUS_PORT:-19530}"
  started=1
  "${compose[@]}" up --detach --quiet-pull || { log "docker compose up failed"; echo "0 passed, 1 failed"; exit 1; }
  container=$("${compose[@]}" ps --quiet milvus)
  health=starting
  for _ in $(seq 1 60); do  # start_period 90 s + checks every 10 s: 5 minutes at most
    health=$(docker inspect --format '{{.State.Health.Status}}' "$container" 2>/dev/null || echo gone)
    [ "$health" = healthy ] && break
    [ "$health" = unhealthy ] || [ "$health" = gone ] && break
    sleep 5
  done
  if [ "$health" != healthy ]; then
    log "Milvus did not become healthy (status: $health); its last log lines:"
    "${compose[@]}" logs --tail 40 milvus >&2
    echo "0 passed, 1 failed"
    exit 1
  fi
  export MILVUS_URI="http://127.0.0.1:${MILVUS_PORT:-19530}"
fi

log "testing against $MILVUS_URI"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build integration_tests/Destination.Milvus.IntegrationTests -c Release -nologo -clp:ErrorsOnly \
  || { echo "0 passed, 1 failed"; log "build failed"; exit 1; }
dotnet test integration_tests/Destination.Milvus.IntegrationTests -c Release --no-build -nologo \
  --logger trx --results-directory "$results" --filter "$filter" "$@"
rc=$?

. .ci/trx-counts.sh
passed=0 failed=0 skipped=0
count "$results"
summary
[ "$rc" -eq 0 ] && [ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
