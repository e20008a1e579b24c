#!/usr/bin/env bash
# The main job end to end on local defaults: starts the Milvus and embedding test servers in-process, generates
# Zendesk-like tickets and articles, loads them with the connector's real `write` twice (an openai_compatible embedder
# served offline by the embedding test server, append_dedup, text fields body, title, description, subject, chunk size
# 1000 as in the Milvus + Airbyte tutorial), prints the connector's summary of
# each sync, runs the tutorial's two support-form queries (a near-duplicate ticket, then a new problem) and prints what
# the form would show, then stops the server.
#   ./demo.sh --web [--port N]   then serves the support form on http://localhost:5080/ against the data until Ctrl+C.
set -euo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
echo "== building (Release)" >&2
dotnet build destination-milvus-dotnet/samples/SupportSearch.Demo/SupportSearch.Demo.csproj -c Release -nologo -clp:ErrorsOnly >&2
exec dotnet destination-milvus-dotnet/samples/SupportSearch.Demo/bin/Release/net10.0/support-search-demo.dll "$@"
