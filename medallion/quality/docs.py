"""Look at the quality gates: their latest results, and the Great Expectations Data Docs.

    python -m medallion.quality.docs                    gate results + the Data Docs path
    python -m medallion.quality.docs --serve            the same, then serve Data Docs on
                                                        http://127.0.0.1:8765 (make docs)

Every checkpoint run rebuilds the Data Docs in great_expectations/uncommitted/data_docs/.
They are static HTML whose CSS and JavaScript GX names on CDNs. Served by `make docs`
they need no internet: the server hands out local copies of those files from npm
packages (medallion/quality/offline_assets.py). Opened as a file, index.html still loads
them from the CDNs, and without internet its list of results stays empty.
"""

from __future__ import annotations

import argparse
import functools
import io
import sys
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from medallion.quality.offline_assets import (
    VENDOR_URL,
    MissingAssetsError,
    check_installed,
    localise,
)
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


class DataDocsHandler(SimpleHTTPRequestHandler):
    """Serves the Data Docs folder; pages with CDN addresses replaced by /_vendor/ ones,
    and /_vendor/ from the npm packages' folder."""

    vendor: Path

    def translate_path(self, path: str) -> str:
        if path.startswith(VENDOR_URL):
            # The parent resolves the path inside `directory` and refuses `..`: reuse it.
            inside = SimpleHTTPRequestHandler.translate_path(self, path[len(VENDOR_URL) - 1 :])
            return str(self.vendor / Path(inside).relative_to(self.directory))
        return super().translate_path(path)

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.suffix != ".html" or not path.is_file():
            return super().send_head()
        body = localise(path.read_text(encoding="utf-8")).encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)  # do_GET copies it to the browser, do_HEAD does not

    def log_message(self, format, *args):  # noqa: A002 - the parent's signature
        pass  # one line per file a page loads would bury the gate results above


def data_docs_server(port: int) -> ThreadingHTTPServer:
    """An HTTP server of the Data Docs on 127.0.0.1 (port 0: a free one), not yet serving."""
    handler = type("Handler", (DataDocsHandler,), {"vendor": check_installed()})
    site = data_docs_index().parent
    return ThreadingHTTPServer(("127.0.0.1", port), functools.partial(handler, directory=site))


def serve(port: int) -> None:
    """Serve the Data Docs on 127.0.0.1 until interrupted (Ctrl-C)."""
    with data_docs_server(port) as server:
        port = server.server_address[1]
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
    print(format_gate_results(args.dataset), flush=True)
    if args.serve:
        try:
            serve(args.port)
        except MissingAssetsError as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
        return 0
    print(f"\nData Docs: {index}")
    print("  serve them, with their CSS and JavaScript from this machine: make docs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
