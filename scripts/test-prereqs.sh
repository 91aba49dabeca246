#!/usr/bin/env bash
# What the test suite needs from the machine: PostgreSQL up, Debian's Chromium, podman.
# Runs as root in CI (installs what is missing); as a normal user it only reports.
set -euo pipefail

log() { printf 'test-prereqs: %s\n' "$*" >&2; }

if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  if command -v pg_ctlcluster >/dev/null && [ "$(id -u)" = 0 ]; then
    log "starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start
  else
    log "PostgreSQL is not running on 127.0.0.1:5432"
  fi
fi

missing=()
command -v chromium >/dev/null || missing+=(chromium)
for tool in podman buildah runc debootstrap; do
  command -v "$tool" >/dev/null || missing+=("$tool")
done
# the browser test types Japanese into the editor; without a CJK font its screenshot shows boxes
dpkg -s fonts-droid-fallback >/dev/null 2>&1 || missing+=(fonts-droid-fallback)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    log "installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      chromium fonts-droid-fallback podman buildah runc crun fuse-overlayfs slirp4netns uidmap \
      debootstrap \
      containernetworking-plugins iptables curl ca-certificates >/dev/null
  else
    log "missing ${missing[*]}; the tests that need them will say so"
  fi
fi
