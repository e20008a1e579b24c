#!/usr/bin/env bash
# Builds the connector and runs it end to end: spec, check (a valid and an invalid config) and a small write.
# Milvus indexing and embeddings are not wired in yet: write feeds an in-memory sink, so this shows the Airbyte
# protocol handling (state echo with destinationStats, rejected lines), not data in Milvus.
set -euo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

echo "== building (Release)" >&2
dotnet build destination-milvus-dotnet/src/Destination.Milvus/Destination.Milvus.csproj -c Release -nologo -clp:ErrorsOnly >&2
connector=(dotnet destination-milvus-dotnet/src/Destination.Milvus/bin/Release/net10.0/destination-milvus.dll)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat > "$work/config.json" <<'JSON'
{"embedding": {"mode": "fake", "dimensions": 8},
 "processing": {"chunk_size": 200, "text_fields": ["title", "body"]},
 "indexing": {"host": "http://localhost:19530", "collection": "demo_docs", "auth": {"mode": "no_auth"}}}
JSON
cat > "$work/bad-config.json" <<'JSON'
{"embedding": {"mode": "gpt"}, "processing": {"chunk_size": 0, "chunk_overlap": 5},
 "indexing": {"host": "localhost:19530", "auth": {"mode": "token", "token": "sk-demo-secret"}}}
JSON
cat > "$work/catalog.json" <<'JSON'
{"streams": [
  {"stream": {"name": "articles", "json_schema": {}, "supported_sync_modes": ["incremental"]},
   "sync_mode": "incremental", "destination_sync_mode": "append_dedup", "primary_key": [["id"]]},
  {"stream": {"name": "comments", "namespace": "forum", "json_schema": {}, "supported_sync_modes": ["full_refresh"]},
   "sync_mode": "full_refresh", "destination_sync_mode": "overwrite"}]}
JSON
cat > "$work/messages.jsonl" <<'JSON'
{"type":"RECORD","record":{"stream":"articles","emitted_at":1700000000000,"data":{"id":1,"title":"Milvus","body":"A vector database."}}}
{"type":"RECORD","record":{"stream":"comments","namespace":"forum","emitted_at":1700000000000,"data":{"id":7,"body":"Nice!"}}}
{"type":"STATE","state":{"type":"STREAM","stream":{"stream_descriptor":{"name":"articles"},"stream_state":{"cursor":1}},"sourceStats":{"recordCount":1.0},"id":1}}
this line is not JSON
{"type":"RECORD","record":{"stream":"unknown_stream","emitted_at":1700000000000,"data":{}}}
{"type":"RECORD","record":{"stream":"articles","emitted_at":1700000000001,"data":{"id":2,"title":"Airbyte","body":"Moves data."}}}
{"type":"STATE","state":{"type":"STREAM","stream":{"stream_descriptor":{"name":"comments","namespace":"forum"},"stream_state":{}},"id":2}}
{"type":"STATE","state":{"type":"STREAM","stream":{"stream_descriptor":{"name":"articles"},"stream_state":{"cursor":2}},"id":3}}
JSON

echo; echo "== spec (first 300 characters)"
"${connector[@]}" spec | cut -c1-300
echo; echo "== check, valid config"
"${connector[@]}" check --config "$work/config.json"
echo; echo "== check, invalid config (every problem at once; the token is never printed)"
"${connector[@]}" check --config "$work/bad-config.json"
echo; echo "== write (in-memory sink: Milvus and embeddings are not wired yet)"
"${connector[@]}" write --config "$work/config.json" --catalog "$work/catalog.json" < "$work/messages.jsonl"
echo; echo "Done. States above carry destinationStats.recordCount per stream and rejectedRecordCount for the 2 bad lines." >&2
