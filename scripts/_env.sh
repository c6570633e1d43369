# Shared by scripts/demo, scripts/test and scripts/bench: create .venv and install from the lock.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PYTHON="${PYTHON:-python3}"

ensure_venv() {  # $1: lock file
  local lock="$1" stamp=".venv/.installed-$(basename "$1")"
  if [ ! -x .venv/bin/python ]; then
    echo "==> creating .venv"
    "$PYTHON" -m venv .venv
  fi
  if [ ! -f "$stamp" ] || [ "$lock" -nt "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    echo "==> installing dependencies from $lock"
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --quiet -r "$lock"
    .venv/bin/python -m pip install --quiet --no-deps -e .
    touch "$stamp"
  fi
}
