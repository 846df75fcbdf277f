#!/usr/bin/env bash
# `npm test`: jest, with the static checks (scripts/checks.sh: the type-check and the lint) beside it at the lowest CPU
# priority, so that they take the time the suites leave a core idle (network-namespace suites waiting on Suricata)
# rather than a quarter of a minute before jest starts. The checks' output is printed after jest's. Both always run;
# the exit status is jest's if it failed, else the checks'. Arguments go to jest.
set -uo pipefail
cd "$(dirname "$0")/.." || exit
checks_log="$(mktemp)"
trap 'rm -f "$checks_log"' EXIT
nice -n 19 bash scripts/checks.sh >"$checks_log" 2>&1 &
checks=$!
node_modules/.bin/jest "$@"
jest_status=$?
wait "$checks"
checks_status=$?
cat "$checks_log"
if [ "$checks_status" -ne 0 ]; then
  echo "npm test: the static checks (type-check, lint) failed with exit $checks_status: their output is above" >&2
else
  echo "npm test: the static checks (type-check, lint) passed"
fi
if [ "$jest_status" -ne 0 ]; then exit "$jest_status"; fi
exit "$checks_status"
