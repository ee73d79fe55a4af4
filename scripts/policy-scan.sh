#!/usr/bin/env bash
# Policy scan of the synthesized stacks with checkov, the same for CI and developers:
#   npm run synth && npm run scan [-- <stack>...]
# Fails on every finding policy/checkov-accepted.json does not accept with a reason (src/deploy/checkov/).
set -euo pipefail
cd "$(dirname "$0")/.."
exec node --import tsx src/deploy/checkov/cli.ts "$@"
