"""How the CLI prints lists: width-aware tables (rich) with short cells, and fixed-width rows for --follow."""
from __future__ import annotations

import json
import shutil

_WRAPPING = {"match", "respond", "path", "org", "description", "operation", "now"}  # the rest never wrap
_FOLLOW_WIDTHS = {"id": 6, "time": 24, "org": 22, "operation": 24, "method": 7, "path": 36, "status": 7,
                  "durationMs": 10, "fault": 6}


def cell(value, column: str = "") -> str:
    """A short text for one value: lowercase booleans, '-' for none, a summary of rules' match and respond."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "true" if value else "false"
    if column == "match" and isinstance(value, dict):
        return " ".join(f"{k}={v}" for k, v in value.items()) or "every call"
    if column == "respond" and isinstance(value, dict):
        return _respond(value)
    if column == "delayMs" and isinstance(value, dict):
        return f"{_number(value['min'])}-{_number(value['max'])}"
    if isinstance(value, float):
        return _number(value)
    if isinstance(value, (dict, list)):
        return _short(json.dumps(value, separators=(",", ":")))
    return str(value)


def _respond(spec: dict) -> str:
    parts = [str(spec.get("status", ""))]
    parts += [spec[k] for k in ("code",) if spec.get(k)]
    if "body" in spec:
        parts.append(_short(json.dumps(spec["body"], separators=(",", ":")), 30))
    elif "text" in spec:
        parts.append(_short(repr(spec["text"]), 30))
    if spec.get("headers"):
        parts.append(f"+{len(spec['headers'])} header(s)")
    return " ".join(parts)


def _number(value: float) -> str:
    return f"{value:g}"


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def width() -> int:
    """The terminal's width (COLUMNS, else the terminal's, else 120 when printing to a pipe)."""
    return shutil.get_terminal_size((120, 24)).columns


_DEFAULTS = {"after": 0, "probability": 1.0}  # a rule's defaults: columns that only show them are left out


def table(rows: list[dict], columns: list[str], optional: tuple = (), droppable: tuple = ()) -> str:
    """Rows as a table that fits the terminal (long cells wrap), headers in capitals; '(none)' when empty.

    `optional` columns are shown only when some row has a value there other than the default;
    `droppable` ones are left out, in that order, while the table is wider than the terminal.
    """
    columns = [c for c in columns if c not in optional or any(r.get(c) not in (None, _DEFAULTS.get(c)) for r in rows)]
    for column in droppable:
        if _natural_width(rows, columns) <= width():
            break
        columns = [c for c in columns if c != column]
    from rich.console import Console
    from rich.table import Table
    grid = Table(box=None, show_edge=False, pad_edge=False, header_style=None, expand=False)
    for column in columns:
        wraps = column in _WRAPPING
        grid.add_column(column.upper(), overflow="fold" if wraps else "ellipsis", no_wrap=not wraps,
                        min_width=10 if wraps else None)
    for row in rows:
        grid.add_row(*(cell(row.get(c), c) for c in columns))
    console = Console(width=width(), no_color=True, highlight=False, emoji=False, markup=False,
                      force_terminal=False, force_jupyter=False)
    with console.capture() as captured:
        console.print(grid)
    lines = [line.rstrip() for line in captured.get().splitlines() if line.strip()]
    return "\n".join(lines) if rows else lines[0] + "\n(none)"


def _natural_width(rows: list[dict], columns: list[str]) -> int:
    sizes = [max([len(c)] + [len(cell(r.get(c), c)) for r in rows]) for c in columns]
    return sum(sizes) + 2 * (len(columns) - 1)


def follow_columns(columns: list[str], droppable: tuple = ()) -> list[str]:
    """The columns `journal --follow` shows: `droppable` ones go, in order, while the rows would not fit."""
    for column in droppable:
        if sum(_FOLLOW_WIDTHS.get(c, 10) for c in columns) + 2 * (len(columns) - 1) <= width():
            break
        columns = [c for c in columns if c != column]
    return columns


def follow_header(columns: list[str]) -> str:
    """The header line of `journal --follow`, in the widths of follow_row."""
    return "  ".join(c.upper().ljust(_FOLLOW_WIDTHS.get(c, 10)) for c in columns).rstrip()


def follow_row(entry: dict, columns: list[str]) -> str:
    """One journal entry in fixed widths, so rows printed one by one line up under the header."""
    shown = []
    for column in columns:
        size = _FOLLOW_WIDTHS.get(column, 10)
        text = cell("dropped" if column == "status" and entry.get("status") is None else entry.get(column), column)
        shown.append(_short(text, size).ljust(size))
    return "  ".join(shown).rstrip()
