"""Look at the quality gates: their latest results, and the Great Expectations Data Docs.

    python -m medallion.quality.docs                    gate results + the Data Docs path
    python -m medallion.quality.docs --serve            serve Data Docs on http://127.0.0.1:8765

Every checkpoint run rebuilds the Data Docs in great_expectations/uncommitted/data_docs/.
They are static HTML: open index.html in a browser, or serve them (a browser on another
machine, or one that blocks file:// pages). Their CSS and JavaScript come from a CDN, so
without internet they show unstyled, but complete.
"""

from __future__ import annotations

import argparse
import functools
import sys
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

from medallion.quality.project import data_docs_index
from medallion.quality.results import read_records

DEFAULT_PORT = 8765


def format_gate_results(dataset: str, ds: str | None = None) -> str:
    """One line per gate record: date, layer, table, expectations passed, verdict."""
    records = read_records(dataset, ds)
    if not records:
        return f"no gate results for {dataset} yet (run the pipeline first)"
    lines = [f"{'delivery':<12} {'layer':<8} {'table':<12} {'passed':>9}  result"]
    for record in records:
        passed = f"{record['passed']}/{record['evaluated']}"
        verdict = "ok" if record["success"] else f"FAILED -> {record['data_docs'][0]}"
        lines.append(
            f"{record['ingest_date']:<12} {record['layer']:<8} {record['table']:<12} "
            f"{passed:>9}  {verdict}"
        )
    return "\n".join(lines)


def serve(port: int) -> None:
    """Serve the Data Docs folder on 127.0.0.1 until interrupted (Ctrl-C)."""
    site = data_docs_index().parent
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(site))
    with ThreadingHTTPServer(("127.0.0.1", port), handler) as server:
        print(f"Data Docs on http://127.0.0.1:{port}/index.html (Ctrl-C to stop)", flush=True)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            print("stopped")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="ecommerce")
    parser.add_argument("--serve", action="store_true", help="serve the Data Docs over HTTP")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    args = parser.parse_args(argv)

    index = data_docs_index()
    if not index.exists():
        print(f"no Data Docs at {index} yet: run the pipeline (make demo) first")
        return 1
    if args.serve:
        serve(args.port)
        return 0
    print(format_gate_results(args.dataset))
    print(f"\nData Docs: {index}")
    print("  open it in a browser, or serve it: python -m medallion.quality.docs --serve")
    return 0


if __name__ == "__main__":
    sys.exit(main())
