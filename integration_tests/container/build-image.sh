#!/usr/bin/env bash
# Builds the repository's unchanged Dockerfile with podman, offline, in a private storage folder.
# There is no Docker engine and no registry here, so the two base images are local stand-ins tagged with the real names:
#   mcr.microsoft.com/dotnet/runtime-deps:10.0  a debootstrapped Debian with the libraries and users of the real Ubuntu image
#                                               (app uid 1654 and ubuntu uid 1000, so the uid-1000 pitfall is caught)
#   mcr.microsoft.com/dotnet/sdk:10.0           runtime-deps plus the host's SDK, bind-mounted read-only at build time
# NuGet packages are restored on the host first and mounted into the build, so the build runs with --network=none.
#
# usage: build-image.sh WORKDIR IMAGE_TAG
# Afterwards: export CONTAINERS_CONF=WORKDIR/containers.conf CONTAINERS_STORAGE_CONF=WORKDIR/storage.conf to use the image;
# remove it all with `podman rmi -a -f; rm -rf WORKDIR` (see cleanup-image.sh).
set -euo pipefail
W=$1
TAG=$2
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$W"
printf '[containers]\ndefault_ulimits = ["nofile=20000:20000", "nproc=4096:4096"]\n[engine]\nruntime = "runc"\n' > "$W/containers.conf"
printf '[storage]\ndriver = "overlay"\ngraphroot = "%s/storage"\nrunroot = "%s/run"\n' "$W" "$W" > "$W/storage.conf"
export CONTAINERS_CONF=$W/containers.conf CONTAINERS_STORAGE_CONF=$W/storage.conf

step() { printf '[build-image] %s %s\n' "$(date +%T)" "$*" >&2; }

if ! podman image exists mcr.microsoft.com/dotnet/runtime-deps:10.0; then
  step "debootstrap runtime-deps stand-in"
  MIRROR=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  MIRROR=${MIRROR:-http://deb.debian.org/debian}
  debootstrap --variant=minbase --include=ca-certificates,libicu72,libssl3,tzdata bookworm "$W/rootfs" "$MIRROR" > "$W/debootstrap.log" 2>&1 \
    || { tail -20 "$W/debootstrap.log" >&2; exit 1; }
  rm -rf "$W"/rootfs/var/cache/apt/archives/*.deb "$W"/rootfs/var/lib/apt/lists/*
  chroot "$W/rootfs" sh -c 'groupadd -g 1654 app && useradd -l -u 1654 -g 1654 -m app && groupadd -g 1000 ubuntu && useradd -u 1000 -g 1000 -m ubuntu'
  tar -C "$W/rootfs" -c . | podman import --change 'ENV APP_UID=1654' --change 'ENV DOTNET_RUNNING_IN_CONTAINER=true' \
    - mcr.microsoft.com/dotnet/runtime-deps:10.0 > /dev/null
  rm -rf "$W/rootfs"
fi

if ! podman image exists mcr.microsoft.com/dotnet/sdk:10.0; then
  step "sdk stand-in"
  mkdir -p "$W/sdkctx"
  printf 'FROM mcr.microsoft.com/dotnet/runtime-deps:10.0\nRUN ln -s /usr/share/dotnet/dotnet /usr/bin/dotnet\nENV DOTNET_NOLOGO=true DOTNET_CLI_TELEMETRY_OPTOUT=1 NuGetAudit=false DOTNET_EnableDiagnostics=0\n' > "$W/sdkctx/Dockerfile"
  podman build --quiet --pull=never -t mcr.microsoft.com/dotnet/sdk:10.0 "$W/sdkctx" > /dev/null
fi

step "host restore (offline packages for the build)"
dotnet restore "$ROOT/destination-milvus-dotnet/src/Destination.Milvus/Destination.Milvus.csproj" \
  -r linux-x64 -p:SelfContained=true -p:PublishTrimmed=true -p:PublishSingleFile=true -p:PublishReadyToRun=true --packages "$W/nuget" > "$W/restore.log" 2>&1 \
  || { tail -20 "$W/restore.log" >&2; exit 1; }

step "podman build"
podman build --pull=never --network=none \
  -v "$W/nuget:/root/.nuget/packages" -v "$(dirname "$(readlink -f "$(command -v dotnet)")"):/usr/share/dotnet:ro" \
  -t "$TAG" "$ROOT" > "$W/build.log" 2>&1 || { tail -40 "$W/build.log" >&2; exit 1; }
podman image prune -f > /dev/null 2>&1 || true
step "built $TAG"
