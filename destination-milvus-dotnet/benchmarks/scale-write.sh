#!/usr/bin/env bash
# Scale benchmark of `write`: peak RSS and CPU seconds per record of the published Release connector (fake embedder)
# writing N distinct records into the Milvus test server in count-only mode (it validates every row and keeps none,
# so tens of millions of rows cost it no memory). Records are streamed from the generator through a pipe.
# Usage: benchmarks/scale-write.sh N[,N...] [KIND[,KIND...]] [SYNC[,SYNC...]] [SHAPE[,SHAPE...]]
#   KIND: connector (a collection the connector creates) | auto_id (a Python-style auto_id collection made first)
#   SYNC: append_dedup | append | overwrite          SHAPE: short (1 short chunk per record) | tickets (Zendesk-like)
#   DIMS=64 by default.
# Prints one table row per run: peak RSS (from /usr/bin/time -v), the connector's user+system CPU seconds and the test
# server's, and both per record.
set -euo pipefail
SIZES=${1:-200000}
KINDS=${2:-connector}
SYNCS=${3:-append_dedup}
SHAPES=${4:-short}
DIMS=${DIMS:-64}
source "$(dirname "$0")/lib.sh"
bench_workdir scale-write
if [ -z "${SKIP_BUILD:-}" ]; then
  publish_connector
  build_benchmarks
  CONNECTOR="$WORK/bin/destination-milvus"
else
  CONNECTOR=${CONNECTOR:?SKIP_BUILD needs CONNECTOR=path of a published destination-milvus}
fi
GENERATOR="$PROJECT/benchmarks/Destination.Milvus.Benchmarks/bin/Release/net10.0/Destination.Milvus.Benchmarks.dll"
DOTNET_GCgen0size=0x8000000 start_test_server --count-only

api() { # $1 = endpoint, $2 = JSON body
  python3 -c "import sys,urllib.request as u; print(u.urlopen(u.Request('http://127.0.0.1:$PORT/v2/vectordb/$1', data=sys.argv[1].encode(), headers={'Content-Type':'application/json'})).read().decode())" "$2"
}

run() { # $1 = N, $2 = kind, $3 = sync mode, $4 = shape
  local n=$1 kind=$2 sync=$3 shape=$4 tag="$1_$2_$3_$4"
  local collection="scale_${kind}_${sync}_${shape}_$n"
  local fields metadata pk=""
  if [ "$shape" = tickets ]; then
    fields='["subject","description"]'; metadata='["id","status","priority","tags","created_at","url"]'
  else
    fields='["title"]'; metadata='["id","rank"]'
  fi
  [ "$sync" = append_dedup ] && pk=',"primary_key":[["id"]]'
  cat >"$WORK/catalog.json" <<JSON
{"streams":[{"stream":{"name":"$shape","json_schema":{},"supported_sync_modes":["full_refresh","incremental"]},"sync_mode":"incremental","destination_sync_mode":"$sync"$pk}]}
JSON
  cat >"$WORK/config.json" <<JSON
{"embedding":{"mode":"fake","dimensions":$DIMS},
 "processing":{"chunk_size":512,"text_fields":$fields,"metadata_fields":$metadata},
 "indexing":{"host":"http://127.0.0.1:$PORT","collection":"$collection","auth":{"mode":"no_auth"}}}
JSON
  if [ "$kind" = auto_id ]; then
    api collections/create "{\"collectionName\":\"$collection\",\"schema\":{\"autoID\":true,\"enableDynamicField\":true,\"fields\":[{\"fieldName\":\"pk\",\"dataType\":\"Int64\",\"isPrimary\":true},{\"fieldName\":\"vector\",\"dataType\":\"FloatVector\",\"elementTypeParams\":{\"dim\":$DIMS}},{\"fieldName\":\"text\",\"dataType\":\"VarChar\",\"elementTypeParams\":{\"max_length\":65535}}]},\"indexParams\":[{\"fieldName\":\"vector\",\"indexName\":\"vector\",\"metricType\":\"L2\"}]}" >/dev/null
  fi
  local server0; server0=$(awk '{print ($14+$15)/100}' "/proc/$SERVER_PID/stat")
  local load; load=$(cut -d' ' -f1 /proc/loadavg)
  dotnet "$GENERATOR" gen-records "$shape" "$n" \
    | /usr/bin/time -v "$CONNECTOR" write --config "$WORK/config.json" --catalog "$WORK/catalog.json" >"$WORK/out.jsonl" 2>"$WORK/time.txt"
  local rss cpu wall server_cpu states rows
  rss=$(awk '/Maximum resident set size/ {print $NF}' "$WORK/time.txt")
  cpu=$(awk -F': ' '/User time|System time/ {s+=$2} END {printf "%.2f", s}' "$WORK/time.txt")
  wall=$(awk '/Elapsed \(wall clock\)/ {print $NF}' "$WORK/time.txt")
  server_cpu=$(awk -v a="$server0" '{printf "%.2f", ($14+$15)/100-a}' "/proc/$SERVER_PID/stat")
  states=$(grep -c '"type":"STATE"' "$WORK/out.jsonl" || true)
  rows=$(api collections/get_stats "{\"collectionName\":\"$collection\"}" | python3 -c 'import sys,json; print(json.load(sys.stdin)["data"]["rowCount"])')
  api collections/drop "{\"collectionName\":\"$collection\"}" >/dev/null
  python3 -c "n=$n; rss=$rss; cpu=$cpu; s=$server_cpu; print(f'| $kind | $sync | $shape | {n:,} | {rss/1024:.0f} | $cpu | {cpu*1e6/n:.1f} | $server_cpu | {s*1e6/n:.1f} | $wall | $rows | $states | $load |')"
}

echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; DIMS=$DIMS; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "| collection | sync | shape | records | peak RSS MB | connector CPU s | connector CPU us/record | test server CPU s | server CPU us/record | wall | rows counted | states out | load before |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
for shape in ${SHAPES//,/ }; do
  for kind in ${KINDS//,/ }; do
    for sync in ${SYNCS//,/ }; do
      for n in ${SIZES//,/ }; do
        run "$n" "$kind" "$sync" "$shape"
      done
    done
  done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
