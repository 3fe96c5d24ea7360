#!/usr/bin/env bash
# Synthesizes one CDK app with the CDK CLI into dist/<project>/cdk.out.
# Usage: tools/cdk-synth.sh <app directory> <project name> [extra cdk synth args...]
# The output folder is emptied first (a stale cdk.out, with its validation report, must never
# be mistaken for this run's) and removed again if synth fails, so a failed synth leaves
# nothing half-written behind.
set -euo pipefail
app_dir=$1
project=$2
shift 2
root=$(cd "$(dirname "$0")/.." && pwd)
out=${SYNTH_OUT_DIR:-"$root/dist/$project/cdk.out"}
rm -rf "$out"
export CDK_DISABLE_CLI_TELEMETRY=true
if ! (cd "$root/$app_dir" && "$root/node_modules/.bin/cdk" synth --quiet --no-notices --output "$out" "$@"); then
  rm -rf "$out"
  exit 1
fi
