#!/usr/bin/env bash
# `npm test`: lint, typecheck and unit tests of every project, then the main job (synth of
# every app from the example config). Prints the test totals last; exits non-zero if any
# step failed.
set -uo pipefail
cd "$(dirname "$0")/.."
export NX_NO_CLOUD=true
rm -rf dist/test-results

status=0
npx nx run-many -t lint typecheck test --outputStyle=static || status=1
if [ "$status" -eq 0 ]; then
  npm run synth || status=1
fi
echo
echo "Test totals:"
npx tsx tools/report-tests.ts || status=1
exit "$status"
