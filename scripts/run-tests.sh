#!/usr/bin/env bash
# pytest for `make test`, with its exit status made plain: 5 means it collected no test,
# which a gate must not take for a pass (a wrong -k/-m or a broken conftest does that).
set -uo pipefail
cd "$(dirname "$0")/.."
"${PY:-.venv/bin/python}" -m pytest "$@"
status=$?
if [ "$status" = 5 ]; then
  printf 'run-tests: pytest collected no tests (exit 5); nothing was tested\n' >&2
fi
exit "$status"
