#!/usr/bin/env bash
# Prepare podman to build and run the newsbot image on a machine with no Docker engine
# and no registry: a private podman configuration and a Debian base image made locally
# with debootstrap, both cached between runs.
#
#   eval "$(scripts/container-base.sh)"
#   podman build --pull=never --format docker --isolation chroot --network host \
#     --build-arg BASE_IMAGE="$NEWSBOT_BASE_IMAGE" \
#     -v /etc/ssl/certs/ca-certificates.crt:/etc/ssl/certs/ca-certificates.crt:ro -t newsbot .
#
# Prints KEY=VALUE lines (shell-quoted exports) on stdout; progress goes to stderr.
# Exit codes: 0 ready, 1 failure, 77 cannot run here (not root, or tools missing).
#
# Knobs (env):
#   NEWSBOT_CONTAINER_CACHE  cache dir: base tarball, podman storage and config
#                            (default /var/cache/newsbot-container as root)
#   NEWSBOT_BASE_IMAGE       local name of the base image (default localhost/newsbot-base:bookworm)
#   DEBIAN_MIRROR            mirror for debootstrap (default: the one apt uses on this host)
#   NEWSBOT_CONTAINER_CACHE_MB  size past which old untagged images are pruned (default 4096)
#   STORAGE_DRIVER           overlay (default; falls back to vfs when it cannot mount) or vfs
set -euo pipefail

log() { printf 'container-base: %s\n' "$*" >&2; }
skip() { log "SKIP: $*"; exit 77; }

[ "$(id -u)" = 0 ] || skip "needs root (rootful podman and debootstrap)"
missing=()
for tool in podman debootstrap flock; do command -v "$tool" >/dev/null || missing+=("$tool"); done
command -v runc >/dev/null || command -v crun >/dev/null || missing+=(runc)
[ ${#missing[@]} -eq 0 ] || skip "missing ${missing[*]} (scripts/test-prereqs.sh installs them)"

CACHE=${NEWSBOT_CONTAINER_CACHE:-/var/cache/newsbot-container}
BASE_IMAGE=${NEWSBOT_BASE_IMAGE:-localhost/newsbot-base:bookworm}
SUITE=bookworm
TARBALL=$CACHE/debian-$SUITE-python3.tar.gz
mkdir -p "$CACHE"

# One preparation at a time; concurrent runs wait here and then find everything done.
exec 9>"$CACHE/.lock"
flock 9

# ------------------------------------------------------------------ podman configuration
# cgroupfs and a file event log: there is no systemd here. Everything lives under CACHE,
# so nothing touches the host's own podman setup.
write_if_changed() { # path content
  if [ ! -f "$1" ] || [ "$(cat "$1")" != "$2" ]; then
    printf '%s\n' "$2" > "$1.tmp.$$" && mv "$1.tmp.$$" "$1"
  fi
}
write_if_changed "$CACHE/containers.conf" "[engine]
cgroup_manager = \"cgroupfs\"
events_logger = \"file\"
events_logfile_path = \"$CACHE/events.log\""
export CONTAINERS_CONF=$CACHE/containers.conf

use_storage() { # driver
  write_if_changed "$CACHE/storage-$1.conf" "[storage]
driver = \"$1\"
graphroot = \"$CACHE/storage-$1\"
runroot = \"$CACHE/runroot-$1\""
  export CONTAINERS_STORAGE_CONF=$CACHE/storage-$1.conf
}
use_storage "${STORAGE_DRIVER:-overlay}"
if ! podman images >/dev/null 2>"$CACHE/storage-probe.err"; then
  log "overlay storage unusable ($(tail -1 "$CACHE/storage-probe.err")); using vfs"
  use_storage vfs
fi

# crun 1.8 refuses hybrid cgroup v1/v2 hosts; runc works there.
RUNTIME=$(command -v runc >/dev/null && echo runc || echo crun)

# ------------------------------------------------------------------ base image
if [ ! -s "$TARBALL" ]; then
  mirror=${DEBIAN_MIRROR:-$(
    { cat /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '/^URIs:/{print $2}'
      cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
        awk '$1=="deb"{for(i=2;i<=NF;i++) if($i ~ /^https?:/){print $i; break}}'
    } | grep -v -- '-security' | grep -E '/debian/?$' | head -1 || true)}
  [ -n "$mirror" ] || { log "no Debian mirror found in the apt configuration; set DEBIAN_MIRROR"; exit 1; }
  log "debootstrap $SUITE from $mirror (minbase with python3, python3-venv, ca-certificates)"
  rootfs=$(mktemp -d "$CACHE/rootfs.XXXXXX")
  trap 'rm -rf "$rootfs"' EXIT
  if ! debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates \
      "$SUITE" "$rootfs" "$mirror" > "$CACHE/debootstrap.log" 2>&1; then
    tail -20 "$CACHE/debootstrap.log" >&2
    exit 1
  fi
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/cache/apt/*.bin \
         "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/log/*.log "$rootfs"/tmp/*
  : > "$rootfs/etc/resolv.conf"
  tar --numeric-owner --xattrs -C "$rootfs" -c . | gzip -1 > "$TARBALL.tmp"
  mv "$TARBALL.tmp" "$TARBALL"
  rm -rf "$rootfs"
  trap - EXIT
  log "base tarball $TARBALL ($(du -h "$TARBALL" | cut -f1))"
fi
# Re-import when the tarball is newer than the image (a refreshed base).
if ! podman image exists "$BASE_IMAGE" \
    || [ "$TARBALL" -nt "$CACHE/.imported-$(echo "$BASE_IMAGE" | tr -c 'a-zA-Z0-9' _)" ]; then
  log "importing $TARBALL as $BASE_IMAGE"
  podman import -q --change 'CMD ["/bin/bash"]' "$TARBALL" "$BASE_IMAGE" >/dev/null
  touch "$CACHE/.imported-$(echo "$BASE_IMAGE" | tr -c 'a-zA-Z0-9' _)"
fi

# ------------------------------------------------------------------ housekeeping
# Every build leaves untagged images behind; most are small layers, but a new lock file
# leaves a whole old virtualenv. Past the limit, drop those unused for a day (not newer
# ones: a concurrent run may be using them). The next build may then take longer.
limit_mb=${NEWSBOT_CONTAINER_CACHE_MB:-4096}
used_mb=$(du -sm "$CACHE" 2>/dev/null | cut -f1)
if [ "${used_mb:-0}" -gt "$limit_mb" ]; then
  log "cache uses ${used_mb} MB (limit ${limit_mb}); pruning images unused for a day"
  podman image prune --force --filter until=24h >/dev/null || true
fi

printf 'export CONTAINERS_CONF=%q\n' "$CONTAINERS_CONF"
printf 'export CONTAINERS_STORAGE_CONF=%q\n' "$CONTAINERS_STORAGE_CONF"
printf 'export NEWSBOT_BASE_IMAGE=%q\n' "$BASE_IMAGE"
printf 'export NEWSBOT_CONTAINER_RUNTIME=%q\n' "$RUNTIME"
printf 'export NEWSBOT_CONTAINER_CACHE=%q\n' "$CACHE"
