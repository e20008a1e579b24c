#!/usr/bin/env bash
# Write under Milvus's limiter: Zendesk-like tickets through the published Release connector (fake embedder) into the
# Milvus test server as Zilliz Cloud Free (2 MB/s for inserts and upserts, refusals with code 1807 before anything is
# applied, one large request may overdraw the bucket). Prints the wall time, the bytes Milvus accepted (the connector's
# summary) and their ratio to bytes / rate, the figure milvus-real-behaviour F3 asks to keep at most 1.3.
# Wall time is the right measure here: the run waits on the limiter, not on the CPU (a loaded machine only makes the
# ratio worse). Usage: benchmarks/limited-write.sh [N=20000]   (DIMS=256, PROFILE=zilliz-free by default)
set -euo pipefail
N=${1:-20000}
DIMS=${DIMS:-256}
PROFILE=${PROFILE:-zilliz-free}
case "$PROFILE" in zilliz-free) RATE_MB=2 ;; zilliz-serverless) RATE_MB=10 ;; *) echo "PROFILE must be a Zilliz plan (its limiter sets the rate)" >&2; exit 2 ;; esac
source "$(dirname "$0")/lib.sh"
bench_workdir limited-write
publish_connector
start_test_server --profile "$PROFILE"

cat >"$WORK/catalog.json" <<JSON
{"streams":[{"stream":{"name":"tickets","json_schema":{},"supported_sync_modes":["incremental"]},"sync_mode":"incremental","destination_sync_mode":"append_dedup","primary_key":[["id"]]}]}
JSON
cat >"$WORK/config.json" <<JSON
{"embedding":{"mode":"fake","dimensions":$DIMS},
 "processing":{"chunk_size":512,"text_fields":["subject","description"],"metadata_fields":["id","status","priority","tags","created_at","url"]},
 "indexing":{"host":"http://127.0.0.1:$PORT","collection":"limited","auth":{"mode":"no_auth"}}}
JSON
python3 "$HERE/gen-tickets.py" "$N" >"$WORK/input.jsonl"

start=$(date +%s.%N)
"$WORK/bin/destination-milvus" write --config "$WORK/config.json" --catalog "$WORK/catalog.json" <"$WORK/input.jsonl" >"$WORK/out.jsonl"
end=$(date +%s.%N)

python3 - "$WORK/out.jsonl" "$start" "$end" "$RATE_MB" <<'PY'
import json, re, sys
out, start, end, rate = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
summary = [json.loads(l)["log"]["message"] for l in open(out) if '"LOG"' in l and "Write pipeline finished" in l][-1]
m = re.search(r"([\d.]+) MB accepted by Milvus", summary)
if not m:
    sys.exit("no throttle figures in the summary: " + summary)
mb = float(m.group(1))
wall = end - start
print(f"{summary}")
print(f"wall {wall:.1f} s for {mb:.1f} MB at {rate} MB/s: ideal {mb / rate:.1f} s, ratio {wall / (mb / rate):.2f}")
PY
