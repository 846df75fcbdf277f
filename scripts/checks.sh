#!/usr/bin/env bash
# `npm test`'s static checks: the type-check and the lint, side by side (each is single-threaded; on two cores this
# saves the shorter one's time). Both always run; the exit status is the type-check's if it failed, else the lint's.
set -uo pipefail
cd "$(dirname "$0")/.." || exit
npm run --silent typecheck &
typecheck=$!
npm run --silent lint
lint=$?
wait "$typecheck"
typecheck=$?
if [ "$typecheck" -ne 0 ]; then exit "$typecheck"; fi
exit "$lint"
