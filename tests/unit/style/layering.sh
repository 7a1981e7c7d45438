#!/usr/bin/env bash
# Dependencies point one way: sim -> dse -> models. Nothing under models/ includes a header of
# sim/ or dse/, and no models/ library links a library of theirs (docs/design.md, "Layers").
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
cd "$root"
status=0
if grep -rnE '#include "(sim|dse)/' models; then
  echo "models/ includes sim/ or dse/ (above)" >&2
  status=1
fi
if grep -nE 'msqx_(spec|io|report|dse|cli)\b' models/*/CMakeLists.txt; then
  echo "a models/ library links a sim/ or dse/ library (above)" >&2
  status=1
fi
exit $status
