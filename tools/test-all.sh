#!/usr/bin/env bash
# `npm test`: lint, typecheck and unit tests of every project, then the main job (synth of
# every app and the consumer kits from deploy.config.ts), then the fork check (a copy of the
# workspace with another config must pass the same suite without replaying cached results).
# Prints the test totals last; exits non-zero if any step failed.
set -uo pipefail
cd "$(dirname "$0")/.."
export NX_NO_CLOUD=true
rm -rf dist/test-results

status=0
npx nx run-many -t lint typecheck test --outputStyle=static || status=1
if [ "$status" -eq 0 ]; then
  npm run synth || status=1
fi
# FORK_CHECK=skip inside the fork itself (no recursion), or to save time on a laptop.
if [ "$status" -eq 0 ] && [ "${FORK_CHECK:-run}" != "skip" ]; then
  echo
  echo "Fork check: a copy of this workspace with another config runs npm test (about 3 minutes)..."
  npx vitest run --config tools/fork-check/vitest.config.ts || status=1
fi
echo
echo "Test totals:"
npx tsx tools/report-tests.ts || status=1
exit "$status"
