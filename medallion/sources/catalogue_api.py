"""The shop's product catalogue as a small HTTP API, for the labs: an HTTP source that can misbehave.

    python -m medallion.sources.catalogue_api [--port 18081] [--fault 503 --count 3]

It serves the catalogue of a delivery date, page by page, from
`<data>/sources/ecommerce/catalogue/<ds>/products.csv` (the products contract's columns;
`medallion generate ecommerce --products-from api` writes it there instead of landing):

    GET /v1/products?date=2026-11-01&page=1&page_size=100
        -> {"data": [{"product_id": "P00001", ...}, ...], "page": 1, "next_page": 2,
            "total": 250}                          (next_page is null on the last page)
    GET /health                                    -> {"status": "ok"}

And it can be told to misbehave, from the start (`--fault`) or while it runs:

    POST /_faults {"mode": "503", "count": 3}      the next 3 catalogue calls fail, then it recovers
    GET /_faults, DELETE /_faults                  see or clear the fault
    GET /_stats                                    {"calls": n}: catalogue calls so far

| mode       | what a client gets                                          | a good client      |
|------------|-------------------------------------------------------------|--------------------|
| `503`      | 503 Service Unavailable with `Retry-After: retry_after_s`   | waits, retries     |
| `429`      | 429 Too Many Requests with `Retry-After: retry_after_s`     | waits, retries     |
| `500`      | 500 Internal Server Error                                   | backs off, retries |
| `timeout`  | no answer for `hang_s` (default 30 s)                       | times out, retries |
| `truncate` | a 200 whose body stops half-way                             | retries            |
| `404`      | 404 Not Found                                               | fails at once      |
| `401`      | 401 Unauthorized                                            | fails at once      |

`count` omitted means the fault lasts until cleared; after `count` calls the API is healthy
again. `latency_s` slows each call of the fault down (alone, without a mode: a slow API).

The service trusts nobody: `date` must be a real calendar date (it names a folder, so
`../..` must never reach the file system), and the numbers of a fault are capped
(`FAULT_LIMITS`), so one request cannot park a server thread for hours.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import threading
import time
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from medallion.settings import load_settings

DEFAULT_PORT = 18081
FAULT_MODES = ("503", "429", "500", "timeout", "truncate", "404", "401")
MAX_PAGE_SIZE = 1000
# The largest value each number of a fault plan may take.
FAULT_LIMITS = {"count": 1000, "latency_s": 30.0, "hang_s": 120.0, "retry_after_s": 60.0}
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def catalogue_file(ds: str) -> Path:
    """Where the API keeps the catalogue of one delivery date (ValueError: not a date)."""
    if not ISO_DATE.fullmatch(ds):
        raise ValueError(f"date must be YYYY-MM-DD, not {ds!r}")
    date.fromisoformat(ds)  # a real date: 2026-02-30 is refused too
    return load_settings().data_dir / "sources" / "ecommerce" / "catalogue" / ds / "products.csv"


def move_to_catalogue(delivery: Path) -> Path:
    """Move a products delivery folder (`.../products/<ds>/`) into the API's store."""
    parts = sorted(delivery.glob("*.csv"))
    texts = []
    for part in parts:  # read every part before writing anything
        try:
            texts.append(part.read_text(encoding="utf-8").splitlines(keepends=True))
        except UnicodeDecodeError as error:
            raise ValueError(f"{part} is not a UTF-8 CSV file ({error})") from error
    target = catalogue_file(delivery.name)
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("w", newline="", encoding="utf-8") as out:
        for number, lines in enumerate(texts):
            out.writelines(lines if number == 0 else lines[1:])  # one header
    for part in parts:
        part.unlink()
    delivery.rmdir()
    return target


class Faults:
    """The misbehaviour currently ordered, shared by all request threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.calls = 0
        self.plan: dict = {}

    def set(self, plan: dict) -> None:
        """Order a fault plan (ValueError when it is not one this API serves)."""
        if not isinstance(plan, dict):
            raise ValueError("a fault plan is a JSON object")
        unknown = sorted(set(plan) - {"mode", *FAULT_LIMITS})
        if unknown:
            raise ValueError(
                f"unknown fault fields {unknown}; known: mode, {', '.join(FAULT_LIMITS)}"
            )
        if plan.get("mode") not in (None, *FAULT_MODES):
            raise ValueError(f"mode must be one of {FAULT_MODES}, not {plan.get('mode')!r}")
        for name, limit in FAULT_LIMITS.items():
            value = plan.get(name)
            kind = int if name == "count" else int | float
            valid = isinstance(value, kind) and not isinstance(value, bool)
            if value is not None and not (valid and 0 <= value <= limit):
                raise ValueError(f"{name} must be a number from 0 to {limit}, not {value!r}")
        with self._lock:
            self.plan = dict(plan)

    def next_call(self) -> dict:
        """Count a catalogue call; return the fault it suffers ({} when none)."""
        with self._lock:
            self.calls += 1
            plan = dict(self.plan)
            if plan.get("count") is not None:
                if plan["count"] <= 0:
                    return {}  # recovered
                self.plan["count"] -= 1
            return plan


class CatalogueServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, host: str, port: int, faults: Faults | None = None):
        super().__init__((host, port), CatalogueHandler)
        self.faults = faults or Faults()

    def url(self) -> str:
        return f"http://{self.server_address[0]}:{self.server_address[1]}"


class CatalogueHandler(BaseHTTPRequestHandler):
    server: CatalogueServer

    def do_GET(self) -> None:
        path = urlparse(self.path).path
        if path == "/health":
            return self._json(200, {"status": "ok"})
        if path == "/_faults":
            return self._json(200, self.server.faults.plan)
        if path == "/_stats":
            return self._json(200, {"calls": self.server.faults.calls})
        if path == "/v1/products":
            return self._products()
        return self._json(404, {"error": f"no such endpoint: {path}"})

    def do_POST(self) -> None:
        if urlparse(self.path).path != "/_faults":
            return self._json(404, {"error": "POST only to /_faults"})
        try:
            length = int(self.headers.get("Content-Length", "0"))
            self.server.faults.set(json.loads(self.rfile.read(length)))
        except ValueError as error:  # a bad length, bad JSON or a bad plan
            return self._json(400, {"error": str(error)})
        return self._json(200, self.server.faults.plan)

    def do_DELETE(self) -> None:
        self.server.faults.set({})
        return self._json(200, {})

    def _products(self) -> None:
        fault = self.server.faults.next_call()
        time.sleep(fault.get("latency_s", 0))
        mode = fault.get("mode")
        retry_after = {"Retry-After": str(fault.get("retry_after_s", 1))}
        if mode == "timeout":
            time.sleep(fault.get("hang_s", 30))
            return self._json(504, {"error": "gateway timeout"})
        if mode in ("503", "429"):
            return self._json(int(mode), {"error": "try again later"}, retry_after)
        if mode in ("500", "404", "401"):
            return self._json(int(mode), {"error": f"simulated {mode}"})
        query = parse_qs(urlparse(self.path).query)
        try:
            body = products_page(
                query["date"][0],
                int(query.get("page", ["1"])[0]),
                int(query.get("page_size", ["100"])[0]),
            )
        except (KeyError, ValueError) as error:
            return self._json(400, {"error": f"bad query: {error}; need date, page, page_size"})
        except FileNotFoundError as error:
            return self._json(404, {"error": str(error)})
        self._json(200, body, truncate=mode == "truncate")

    def _json(self, status: int, body: dict, headers: dict | None = None, truncate=False) -> None:
        payload = json.dumps(body).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        try:
            self.wfile.write(payload[: len(payload) // 2] if truncate else payload)
        except (BrokenPipeError, ConnectionResetError):
            # The client gave up first (its read timeout during a `timeout` fault).
            self.log_message("client hung up before the answer (HTTP %s)", status)
        if truncate:
            self.close_connection = True

    def log_message(self, format: str, *args) -> None:
        print(f"catalogue-api {self.address_string()} {format % args}", flush=True)


def products_page(ds: str, page: int, page_size: int) -> dict:
    """One page of the catalogue of `ds`."""
    if page < 1 or not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ValueError(f"page >= 1 and 1 <= page_size <= {MAX_PAGE_SIZE}")
    path = catalogue_file(ds)
    if not path.exists():
        raise FileNotFoundError(f"no catalogue for {ds}")
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    start = (page - 1) * page_size
    more = start + page_size < len(rows)
    return {
        "data": rows[start : start + page_size],
        "page": page,
        "next_page": page + 1 if more else None,
        "total": len(rows),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serve the product catalogue API (Ctrl-C stops).")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--fault", choices=FAULT_MODES, help="misbehave from the start")
    parser.add_argument("--count", type=int, help="only for the first COUNT calls")
    parser.add_argument("--retry-after", type=float, default=1, help="seconds, for 503 and 429")
    parser.add_argument("--latency", type=float, help="seconds of delay for each call")
    parser.add_argument("--hang", type=float, help="timeout: seconds without an answer")
    args = parser.parse_args(argv)
    server = CatalogueServer(args.host, args.port)
    plan = {"mode": args.fault, "count": args.count, "retry_after_s": args.retry_after}
    plan |= {"latency_s": args.latency, "hang_s": args.hang}
    server.faults.set({key: value for key, value in plan.items() if value is not None})
    print(f"catalogue API on {server.url()}, faults: {server.faults.plan or 'none'}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
