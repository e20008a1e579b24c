#!/usr/bin/env bash
# The main job end to end on local defaults: starts the Milvus test server in-process, generates Zendesk-like tickets
# and articles, loads them with the connector's real `write` (fake embedder, append_dedup, text fields body, title,
# description, subject, chunk size 1000 as in the Milvus + Airbyte tutorial), runs the tutorial's two support-form
# queries (a near-duplicate ticket, then a new problem) and prints what the form would show, then stops the server.
set -euo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
echo "== building (Release)" >&2
dotnet build destination-milvus-dotnet/samples/SupportSearch.Demo/SupportSearch.Demo.csproj -c Release -nologo -clp:ErrorsOnly >&2
dotnet destination-milvus-dotnet/samples/SupportSearch.Demo/bin/Release/net10.0/support-search-demo.dll
