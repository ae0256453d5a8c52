"""Extraction windows of incremental sources: which rows each delivery date took.

An incremental extract reads the rows changed since the last extraction, by the table's
version column (`updated_at`). The window of each delivery date is kept per table in

    data/lake/_watermarks/<dataset>/<table>.json
    {"dataset": "ecommerce", "table": "orders",
     "windows": {"2026-11-01": {"after": null, "through": "2026-11-01 23:58:12", "rows": 512},
                 "2026-11-02": {"after": "2026-11-01 23:58:12", "through": "...", "rows": 48}}}

`after` is exclusive (null: from the beginning), `through` inclusive; both are UTC
timestamps `YYYY-MM-DD HH:MM:SS`. A window is recorded only after its landing files are
complete, so a crash mid-extract leaves no record and the retry extracts the same rows.
Re-running a recorded date reuses its window: the same rows land again (idempotent). A new
date starts after the latest window recorded for an earlier date.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from medallion.settings import load_settings


@dataclass(frozen=True)
class Window:
    """Rows with `after < version <= through` (no lower bound when `after` is None)."""

    after: str | None
    through: str | None
    rows: int = 0


def watermark_path(dataset: str, table: str) -> Path:
    return load_settings().lake_dir / "_watermarks" / dataset / f"{table}.json"


def recorded_windows(dataset: str, table: str) -> dict[str, Window]:
    """Every recorded window of a table, by delivery date."""
    path = watermark_path(dataset, table)
    if not path.exists():
        return {}
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
        return {ds: Window(**window) for ds, window in body["windows"].items()}
    except (ValueError, KeyError, TypeError) as error:
        raise ValueError(
            f"{path} is not a watermark file ({error}). Restore it, or delete it to extract "
            f"{dataset}.{table} from the beginning again."
        ) from error


def window_of(dataset: str, table: str, ds: str) -> Window | None:
    """The window a date already took, or None if the date was never extracted."""
    return recorded_windows(dataset, table).get(ds)


def start_after(dataset: str, table: str, ds: str) -> str | None:
    """Where a new date's window starts: the end of the latest earlier date's window."""
    earlier = {day: window for day, window in recorded_windows(dataset, table).items() if day < ds}
    if not earlier:
        return None
    return earlier[max(earlier)].through


def record_window(dataset: str, table: str, ds: str, window: Window) -> Path:
    """Record the window a date took (atomically: temporary file, then rename)."""
    path = watermark_path(dataset, table)
    path.parent.mkdir(parents=True, exist_ok=True)
    windows = {day: asdict(known) for day, known in recorded_windows(dataset, table).items()}
    windows[ds] = asdict(window)
    body = {"dataset": dataset, "table": table, "windows": dict(sorted(windows.items()))}
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(json.dumps(body, indent=2) + "\n", encoding="utf-8")
    os.replace(temporary, path)
    return path
