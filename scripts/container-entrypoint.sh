#!/bin/sh
# The image's entrypoint: `newsbot ARGS...`, with migrations applied first for the
# default `run`. `exec` hands PID 1 to newsbot, so SIGTERM from `docker stop` reaches it.
set -eu
if [ "$#" -eq 0 ]; then
  set -- run
fi
if [ "$1" = run ]; then
  newsbot db upgrade
fi
exec newsbot "$@"
