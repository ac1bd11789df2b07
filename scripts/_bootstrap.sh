# Sourced by scripts/run and scripts/test: make .venv and install the project (with extras) when needed.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${KUSTOMER_MOCK_VENV:-$ROOT/.venv}"
PY="${PYTHON:-python3}"

bootstrap() {
  local extras="$1" stamp="$VENV/.installed-$1"
  if [ ! -x "$VENV/bin/python" ]; then
    echo "creating $VENV" >&2
    "$PY" -m venv "$VENV"
  fi
  # reinstall when setup.cfg changed since the last install
  local want
  want="$(sha1sum "$ROOT/setup.cfg" | cut -c1-40)"
  # an install with extras (scripts/test's) also serves a call without them (scripts/run)
  if [ -z "$extras" ] && grep -qsx "$want" "$VENV"/.installed-*; then
    return 0
  fi
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "installing kustomer-mock${extras:+[$extras]} into $VENV" >&2
    "$VENV/bin/python" -m pip install -q --upgrade pip >&2
    "$VENV/bin/python" -m pip install -q -e "$ROOT${extras:+[$extras]}" >&2
    echo "$want" > "$stamp"
  fi
}

# Say where the CLI is when this shell would not find it (scripts/run: before serving).
where_is_the_cli() {
  if [ "$(command -v kustomer-mock 2>/dev/null)" != "$VENV/bin/kustomer-mock" ]; then
    echo "the kustomer-mock CLI is $VENV/bin/kustomer-mock; to have it (and the fault scripts) on PATH" \
         "in your shell: source $VENV/bin/activate" >&2
  fi
}
