#!/usr/bin/env bash
# Removes everything build-image.sh made: the images in the private storage and the work folder.
set -uo pipefail
W=$1
[ -d "$W" ] || exit 0
export CONTAINERS_CONF=$W/containers.conf CONTAINERS_STORAGE_CONF=$W/storage.conf
podman rmi -a -f > /dev/null 2>&1
rm -rf "$W"
