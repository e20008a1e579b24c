# Sourced by the write benchmarks (e2e-write.sh, limited-write.sh, scale-write.sh): the repository's paths, a scratch
# folder and a Milvus test server that are both gone when the script exits, however it exits.
# shellcheck shell=bash
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PROJECT=$(cd "$HERE/.." && pwd)
ROOT=$(cd "$PROJECT/.." && pwd)
SERVER_PID=""
WORK=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then
    kill -INT "$SERVER_PID" 2>/dev/null || true; sleep 1; kill -9 "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  if [ -n "$WORK" ]; then rm -rf "$WORK"; fi
}
trap cleanup EXIT

# bench_workdir NAME: sets WORK to a new scratch folder /tmp/NAME.XXXXXX.
bench_workdir() { WORK=$(mktemp -d "/tmp/$1.XXXXXX"); }

# publish_connector: the Release connector into $WORK/bin (destination-milvus there), and the test server built.
publish_connector() {
  echo "publishing the connector (Release) ..." >&2
  dotnet publish "$PROJECT/src/Destination.Milvus/Destination.Milvus.csproj" -c Release -o "$WORK/bin" -p:DebugType=none >/dev/null
  dotnet build "$ROOT/integration_tests/MilvusTestServer/MilvusTestServer.csproj" -c Release >/dev/null
}

# build_benchmarks: the benchmark program (the write ceiling, the record generator).
build_benchmarks() {
  dotnet build "$PROJECT/benchmarks/Destination.Milvus.Benchmarks/Destination.Milvus.Benchmarks.csproj" -c Release >/dev/null
}

# start_test_server [OPTION...]: the Milvus test server on a free port with these options; sets PORT and SERVER_PID
# and returns once it listens (its log is $WORK/server.log).
start_test_server() {
  PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  dotnet "$ROOT/integration_tests/MilvusTestServer/bin/Release/net10.0/MilvusTestServer.dll" --port "$PORT" "$@" >"$WORK/server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 100); do grep -q listening "$WORK/server.log" && return 0; sleep 0.1; done
  echo "the Milvus test server did not start:" >&2; cat "$WORK/server.log" >&2; return 1
}
