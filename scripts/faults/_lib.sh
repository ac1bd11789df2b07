# Sourced by the fault scripts: find the CLI, note where the journal ends, and remove only the rules
# this script added (other scripts' and tests' rules stay), even when the command fails.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
if [ -n "${KUSTOMER_MOCK:-}" ]; then
  read -r -a mock <<< "$KUSTOMER_MOCK"         # a path, or a command such as: python -m mock_server
elif command -v kustomer-mock >/dev/null 2>&1; then
  mock=(kustomer-mock)
elif [ -x "$ROOT/.venv/bin/kustomer-mock" ]; then
  mock=("$ROOT/.venv/bin/kustomer-mock")      # made by scripts/run or scripts/test
else
  echo "kustomer-mock is not on PATH and $ROOT/.venv has none: run scripts/run once (it makes .venv)," \
       "then 'source $ROOT/.venv/bin/activate', or set KUSTOMER_MOCK to the command" >&2
  exit 127
fi

ours=()   # ids of the rules this script added

# The id of the newest journal entry now (0 for none): this run's calls are the ones after it.
journal_end() {
  "${mock[@]}" journal --limit 1 --json | python3 -c \
    'import json,sys; r=json.load(sys.stdin)["requests"]; print(r[-1]["id"] if r else 0)'
}

# Run a `fault add` or `fault load` command and remember the ids of the rules it added.
add_rules() {
  local ids
  ids=$("$@" --json | python3 -c \
    'import json,sys; d=json.load(sys.stdin); print(" ".join([d["id"]] if "id" in d else [f["id"] for f in d["faults"]]))')
  ours+=($ids)
  echo "added fault rule(s) ${ids}" >&2
}

remove_ours() {
  local id
  for id in "${ours[@]}"; do
    "${mock[@]}" fault rm "$id" >/dev/null 2>&1 || true   # gone already: someone cleared the rules
  done
}
trap remove_ours EXIT
