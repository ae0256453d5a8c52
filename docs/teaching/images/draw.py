"""Draw the teaching kit's two pictures as SVG, with nothing but Python.

    python docs/teaching/images/draw.py           rewrite both SVGs beside this file
    python docs/teaching/images/draw.py --check   exit 1 if a committed SVG differs

- architecture.svg: landing -> bronze -> silver / quarantine -> gold, which tool does
  what, and the quality gate that guards each layer.
- one-date-through-the-layers.svg: what one run of ecommerce_daily for one logical date
  does: its task groups, the partitions it writes, their commit markers, the gates, and
  gold rebuilt from every committed silver partition.

The pictures are source code: change a label here, run the script, commit both. A test
(tests/teaching/test_images.py) fails when the SVGs and this script disagree.
"""

from __future__ import annotations

import sys
from pathlib import Path
from xml.sax.saxutils import escape

HERE = Path(__file__).resolve().parent
FONT = "font-family:DejaVu Sans,Helvetica,Arial,sans-serif"
# One colour per role, the same in both pictures.
COLOURS = {
    "landing": "#eeeeee",
    "bronze": "#e8c39e",
    "silver": "#d9dee5",
    "quarantine": "#f4c7c3",
    "gold": "#f6dd8b",
    "gate": "#c8e6c9",
    "airflow": "#d6e4f7",
    "monitor": "#e6d9f2",
    "note": "#ffffff",
}


class Canvas:
    """An SVG document built element by element, in drawing order."""

    def __init__(self, width: int, height: int, title: str) -> None:
        self.width, self.height = width, height
        self.parts = [
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" role="img" style="{FONT}">',
            f"<title>{escape(title)}</title>",
            '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" '
            'markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
            '<path d="M 0 0 L 10 5 L 0 10 z" fill="#333333"/></marker></defs>',
            f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
        ]

    def text(self, x: float, y: float, value: str, size: int = 13, **style: str) -> None:
        weight = style.get("weight", "normal")
        anchor = style.get("anchor", "middle")
        colour = style.get("colour", "#222222")
        self.parts.append(
            f'<text x="{x:g}" y="{y:g}" font-size="{size}" font-weight="{weight}" '
            f'text-anchor="{anchor}" fill="{colour}">{escape(value)}</text>'
        )

    def box(
        self,
        x: float,
        y: float,
        w: float,
        h: float,
        role: str,
        title: str,
        lines: list[str] = (),
        dashed: bool = False,
    ) -> None:
        """A rounded box with a bold title and smaller lines under it, centred."""
        dash = ' stroke-dasharray="6 4"' if dashed else ""
        self.parts.append(
            f'<rect x="{x:g}" y="{y:g}" width="{w:g}" height="{h:g}" rx="8" '
            f'fill="{COLOURS[role]}" stroke="#555555" stroke-width="1.2"{dash}/>'
        )
        top = y + 20
        self.text(x + w / 2, top, title, 14, weight="bold")
        for index, line in enumerate(lines):
            self.text(x + w / 2, top + 18 * (index + 1), line, 12)

    def gate(self, cx: float, cy: float, label: str) -> None:
        """A quality gate: an octagon (a stop sign) with its layer's name."""
        r, k = 22, 9
        points = [(-k, -r), (k, -r), (r, -k), (r, k), (k, r), (-k, r), (-r, k), (-r, -k)]
        path = " ".join(f"{cx + dx:g},{cy + dy:g}" for dx, dy in points)
        self.parts.append(
            f'<polygon points="{path}" fill="{COLOURS["gate"]}" stroke="#2e7d32" '
            'stroke-width="1.5"/>'
        )
        self.text(cx, cy - 2, "GX", 11, weight="bold", colour="#2e7d32")
        self.text(cx, cy + 11, label, 9, colour="#2e7d32")

    def arrow(
        self,
        x1: float,
        y1: float,
        x2: float,
        y2: float,
        label: str = "",
        dashed: bool = False,
        label_dy: float = -8,
    ) -> None:
        dash = ' stroke-dasharray="5 4"' if dashed else ""
        self.parts.append(
            f'<line x1="{x1:g}" y1="{y1:g}" x2="{x2:g}" y2="{y2:g}" stroke="#333333" '
            f'stroke-width="1.5" marker-end="url(#arrow)"{dash}/>'
        )
        if label:
            self.text((x1 + x2) / 2, (y1 + y2) / 2 + label_dy, label, 11, colour="#333333")

    def svg(self) -> str:
        return "\n".join([*self.parts, "</svg>"]) + "\n"


CONTRACT_LINES = [
    "data/contracts/<dataset>/*.yml",
    "columns, types, key, ranges",
    "-> Spark read schema,",
    "silver rules, GX suites",
]
GATE_RULE = "A gate that fails stops the run at its layer (AirflowFailException, no retries)."

# Architecture: the boxes as (x, y, width, height, role, title, lines).
# fmt: off
ARCHITECTURE_BOXES = [
    (20, 140, 180, 120, "landing", "landing",
     ["CSV, JSON lines files", "PostgreSQL (JDBC)", "catalogue HTTP API", "data/landing/..."]),
    (290, 140, 180, 120, "bronze", "bronze",
     ["parquet, every row", "as delivered (strings)", "+ _ingested_at, _row_hash",
      "lake/bronze/..."]),
    (570, 140, 180, 120, "silver", "silver",
     ["parquet, typed, trimmed", "one row per key", "per delivery", "lake/silver/..."]),
    (570, 330, 180, 92, "quarantine", "quarantine",
     ["rejected rows", "+ _reject_reason", "lake/quarantine/..."]),
    (860, 140, 220, 120, "gold", "gold",
     ["DuckDB marts: fct_, dim_, agg_", "also exported as parquet",
      "warehouse/<dataset>.duckdb"]),
    (20, 50, 1060, 62, "airflow", "Airflow 3: one DAG per dataset (ecommerce_daily)",
     ["runs every arrow below as a task, for one logical date; retries transient errors "
      "3 times with exponential backoff; stops at once on bad data"]),
    (20, 475, 1060, 70, "monitor", "metrics and alerts",
     ["every task pushes rows, rejects, gate results and durations to the Pushgateway;",
      "Prometheus alert rules -> Alertmanager -> webhook and e-mail; "
      "Airflow callbacks report failed tasks"]),
]
# The gates as (x, layer, what they check).
ARCHITECTURE_GATES = [
    (380, "bronze", ["contract columns present,", "rows = source rows"]),
    (660, "silver", ["keys unique, values in range,", "silver + quarantine = bronze"]),
    (970, "gold", ["grain unique, revenue", "reconciles with silver"]),
]
# fmt: on


def architecture() -> str:
    """Layers left to right; the tool on each arrow; gates; Airflow above, metrics below."""
    c = Canvas(1100, 560, "medallion-lab architecture: landing, bronze, silver, gold")
    c.text(550, 30, "medallion-lab: one dataset's way through the layers", 18, weight="bold")
    for x, y, w, h, role, title, lines in ARCHITECTURE_BOXES:
        c.box(x, y, w, h, role, title, lines)
    c.arrow(200, 200, 288, 200, "Spark: ingest")
    c.arrow(470, 200, 568, 200, "Spark: refine")
    c.arrow(470, 240, 568, 360, "broken rows", label_dy=16)
    c.arrow(750, 200, 858, 200, "dbt build")
    for x, layer, checks in ARCHITECTURE_GATES:
        c.gate(x, 300, layer)
        label_x = x + 160 if layer == "silver" else x  # quarantine sits under silver
        label_y = 300 if layer == "silver" else 345
        for index, check in enumerate(checks):
            c.text(label_x, label_y + 15 * index, check, 11)
    c.box(20, 300, 240, 122, "note", "data contracts", CONTRACT_LINES, dashed=True)
    c.text(550, 455, GATE_RULE, 12, weight="bold")
    return c.svg()


DS = "2026-11-02"
# One date: the rows as (role, task group, task id, title, lines), top to bottom.
# fmt: off
ONE_DATE_ROWS = [
    ("landing", "delivered", "", "landing (read, never changed)",
     [f"data/landing/ecommerce/orders/{DS}/*.csv"]),
    ("bronze", "task group bronze", "ingest_orders", "bronze partition, then its marker",
     [f"lake/bronze/ecommerce/orders/ingest_date={DS}/*.parquet",
      "_COMMITTED.json: rows, source rows, source files"]),
    ("gate", "", "validate_bronze_orders", "bronze gate",
     ["contract columns present, rows = source rows"]),
    ("silver", "task group silver", "refine_orders", "silver and quarantine, each with a marker",
     [f"lake/silver/ecommerce/orders/ingest_date={DS}/",
      f"lake/quarantine/ecommerce/orders/ingest_date={DS}/"]),
    ("gate", "", "validate_silver_orders", "silver gate",
     ["keys unique, values in range, silver + quarantine = bronze"]),
    ("gold", "task group gold", "build_gold", "gold: dbt build on ALL committed silver",
     ["ingest_date=2026-11-01, ingest_date=2026-11-02, ... -> warehouse/ecommerce.duckdb"]),
    ("gate", "", "validate_gold", "gold gate", ["grain unique, gold revenue = silver revenue"]),
    ("monitor", "", "publish_run_summary", "run summary in the task log",
     ["rows per layer, quarantined rows by reason"]),
]
# fmt: on
ONE_DATE_NOTES = [
    f"A re-run of {DS} replaces exactly its ingest_date={DS} partitions and rewrites their "
    "markers: same input, same output.",
    "A partition without _COMMITTED.json counts as unfinished: gold refuses to build until "
    "that date is re-run.",
]


def one_date() -> str:
    """One run of ecommerce_daily for one date, top to bottom, for the orders table."""
    c = Canvas(1100, 720, f"one logical date ({DS}) through the layers")
    title = f"One run of ecommerce_daily for the logical date {DS} (table: orders)"
    c.text(550, 30, title, 18, weight="bold")
    c.text(550, 52, "left: the DAG's task groups and tasks; right: what each reads and writes", 12)
    top, height, gap = 70, 64, 10
    for index, (role, group, task_id, heading, lines) in enumerate(ONE_DATE_ROWS):
        y = top + index * (height + gap)
        if group:
            c.text(20, y + 18, group, 12, weight="bold", anchor="start")
        if role == "gate":
            c.gate(290, y + height / 2, task_id.split("_")[1])
            c.text(324, y + height / 2 + 4, task_id, 12, anchor="start")
        elif task_id:
            c.box(160, y, 260, height, "airflow", task_id)
            c.arrow(420, y + height / 2, 478, y + height / 2)
        gate = role == "gate"
        c.box(480, y, 600, height, "note" if gate else role, heading, lines, dashed=gate)
        if index >= 2:  # the task flow: each task starts when the one above succeeded
            c.arrow(290, y - gap - 2, 290, y + 4 if gate else y - 1)
    bottom = top + len(ONE_DATE_ROWS) * (height + gap) + 14
    for index, note in enumerate(ONE_DATE_NOTES):
        c.text(550, bottom + 20 * index, note, 12)
    return c.svg()


PICTURES = {"architecture.svg": architecture, "one-date-through-the-layers.svg": one_date}


def main(argv: list[str]) -> int:
    stale = []
    for name, draw in PICTURES.items():
        path, svg = HERE / name, draw()
        if "--check" in argv:
            if not path.exists() or path.read_text(encoding="utf-8") != svg:
                stale.append(name)
        else:
            path.write_text(svg, encoding="utf-8")
            print(f"wrote {path}")
    if stale:
        print(f"out of date: {', '.join(stale)}; run python {Path(__file__).name}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
