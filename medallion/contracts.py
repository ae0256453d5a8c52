"""Data contracts: one YAML file per source table, the single source of truth.

A contract says what a source promises to deliver: its columns and their types, the
primary key, the column that orders versions of a key, which values are accepted and
which ranges are sane. The Spark read schema, the silver rules and the quality gates are
all derived from it, so adding a dataset means writing contracts, not copying code.

Files live at `data/contracts/<dataset>/<table>.yml`; see ecommerce/orders.yml.

How the files are read is part of the promise too (`source:`): `format` (csv or jsonl),
`encoding` (default utf-8; utf-8-sig for a file starting with a byte-order mark, latin-1
or cp1252 for Western European exports) and, for CSV, `delimiter` (default ",") and
`max_field_chars`, the longest field a file may hold (default 131072, Python csv's own
limit; raise it for a source with long texts). A column whose name in the file is not a
clean snake_case name keeps the file's name in `source_name`; the reader renames it, so
everything after landing uses `name`.
`null_values` lists the texts the source writes for "no value" (`NA`, `NULL`, `-`): the
refine step reads them as null, like an empty field, in every column.

`allow_empty` (default false) says whether a delivery may hold no rows at all (CSV: a
header only; JSON lines: no line): false fails the ingest at once, because an empty
export is usually a broken one; set it to true for a source with quiet days, whose empty
delivery then loads as an empty partition and passes the bronze gate.

Two limits protect a delivery from silent loss at the silver gate:
- `max_quarantine_share` (default 5%): rows that break a rule of the contract;
- `max_deduplicated_share` (default 10%): rows removed as exact copies (`duplicate_row`)
  or older versions of a key in the same delivery (`superseded_in_delivery`). Above it
  the key is probably wrong, or a file was delivered many times over: a wrong key would
  otherwise drop a quarter of a file with every gate green.

`measure` (optional) names the column gold adds up: the gold gate of a scaffolded
dataset reconciles its sum with silver, besides the row count.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import yaml

from medallion.errors import DataError
from medallion.settings import load_settings
from medallion.source_records import DEFAULT_MAX_FIELD_CHARS

SIMPLE_TYPES = {"string", "integer", "long", "double", "boolean", "date", "timestamp"}
DECIMAL_TYPE = re.compile(r"decimal\((\d+),\s*(\d+)\)")
NORMALIZATIONS = {"lower", "upper"}
SOURCE_FORMATS = {"csv", "jsonl"}
# Python codec name -> the Java charset name Spark's readers take. Only encodings that
# keep ASCII bytes as they are: delimiters, quotes and line ends then mean the same
# bytes in every one of them. A byte-order mark sits in the header line, which Spark
# skips, so utf-8-sig reads as UTF-8 there.
SOURCE_ENCODINGS = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8",
    "iso8859-1": "ISO-8859-1",
    "cp1252": "windows-1252",
}
SOURCE_DELIMITERS = {",", ";", "\t", "|"}
DEFAULT_MAX_QUARANTINE_SHARE = 0.05
# A source that re-sends a few rows or versions stays well below a tenth of a delivery;
# a wrong key or a file delivered twice does not.
DEFAULT_MAX_DEDUPLICATED_SHARE = 0.10
# Dataset, table and folder names become paths, DAG ids and dbt model names.
NAME = re.compile(r"[a-z][a-z0-9_]*")


class ContractError(DataError):
    """A contract file is malformed; the message names the file and the field to fix."""


@dataclass(frozen=True)
class Column:
    """One column as the source promises to deliver it."""

    name: str
    type: str
    nullable: bool = True
    description: str = ""
    normalize: str | None = None
    source_name: str | None = None
    accepted_values: tuple[str, ...] | None = None
    min: Decimal | None = None
    max: Decimal | None = None

    @property
    def is_numeric(self) -> bool:
        return self.type in {"integer", "long", "double"} or self.type.startswith("decimal")


@dataclass(frozen=True)
class Contract:
    """The promise one source table makes to the pipeline."""

    dataset: str
    table: str
    description: str
    owner: str
    source_folder: str
    source_format: str
    primary_key: tuple[str, ...]
    version_column: str
    columns: tuple[Column, ...]
    event_time_column: str | None = None
    max_quarantine_share: float = DEFAULT_MAX_QUARANTINE_SHARE
    max_deduplicated_share: float = DEFAULT_MAX_DEDUPLICATED_SHARE
    source_encoding: str = "utf-8"
    source_delimiter: str = ","
    null_values: tuple[str, ...] = ()
    measure: str | None = None
    source_max_field_chars: int = DEFAULT_MAX_FIELD_CHARS
    allow_empty: bool = False
    path: Path | None = field(default=None, compare=False)

    @property
    def column_names(self) -> list[str]:
        return [column.name for column in self.columns]

    @property
    def required_columns(self) -> list[str]:
        return [column.name for column in self.columns if not column.nullable]

    @property
    def source_spark_encoding(self) -> str:
        """The source encoding as the Java charset name Spark's readers expect."""
        return SOURCE_ENCODINGS[codecs.lookup(self.source_encoding).name]

    def renamed_from_source(self) -> dict[str, str]:
        """{name in the file: contract name} for the columns the reader must rename."""
        return {
            column.source_name: column.name
            for column in self.columns
            if column.source_name and column.source_name != column.name
        }

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(f"{self.dataset}.{self.table} has no column {name!r}")


def contract_path(dataset: str, table: str) -> Path:
    return load_settings().contracts_dir / dataset / f"{table}.yml"


def list_tables(dataset: str) -> list[str]:
    """Tables of a dataset, in alphabetical order (one contract file each)."""
    folder = load_settings().contracts_dir / dataset
    tables = sorted(path.stem for path in folder.glob("*.yml"))
    if not tables:
        raise ContractError(f"no contracts found in {folder}: is the dataset name right?")
    return tables


def load_contract(dataset: str, table: str) -> Contract:
    """Read and check `data/contracts/<dataset>/<table>.yml`."""
    path = contract_path(dataset, table)
    if not path.exists():
        raise ContractError(
            f"contract {path} does not exist (dataset={dataset!r}, table={table!r})"
        )
    return parse_contract(yaml.safe_load(path.read_text(encoding="utf-8")), path)


def parse_contract(raw: dict, path: Path | None = None) -> Contract:
    """Build a Contract from parsed YAML, failing loudly on anything ambiguous."""
    where = str(path) if path else "contract"

    def need(key: str):
        if key not in raw or raw[key] in (None, "", []):
            raise ContractError(f"{where}: required field {key!r} is missing")
        return raw[key]

    columns = tuple(_parse_column(item, where) for item in need("columns"))
    names = [column.name for column in columns]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise ContractError(f"{where}: columns listed twice: {duplicates}")
    primary_key = tuple(need("primary_key"))
    source = need("source")
    contract = Contract(
        dataset=need("dataset"),
        table=need("table"),
        description=str(raw.get("description", "")).strip(),
        owner=str(raw.get("owner", "")),
        source_folder=source.get("folder", raw["table"]),
        source_format=source.get("format", ""),
        primary_key=primary_key,
        version_column=need("version_column"),
        columns=columns,
        event_time_column=raw.get("event_time_column"),
        max_quarantine_share=_share(raw, "max_quarantine_share", where),
        max_deduplicated_share=_share(raw, "max_deduplicated_share", where),
        source_encoding=str(source.get("encoding", "utf-8")),
        source_delimiter=str(source.get("delimiter", ",")),
        null_values=tuple(str(value) for value in source.get("null_values") or ()),
        measure=raw.get("measure"),
        source_max_field_chars=source.get("max_field_chars", DEFAULT_MAX_FIELD_CHARS),
        allow_empty=raw.get("allow_empty", False),
        path=path,
    )
    for label, value in (
        ("dataset", contract.dataset),
        ("table", contract.table),
        ("source.folder", contract.source_folder),
    ):
        if not isinstance(value, str) or not NAME.fullmatch(value):
            raise ContractError(
                f"{where}: {label} {value!r} must be lower-case letters, digits and _"
            )
    _check_source(contract, where)
    referenced = [*primary_key, contract.version_column]
    for optional in (contract.event_time_column, contract.measure):
        if optional:
            referenced.append(optional)
    for name in referenced:
        if name not in names:
            raise ContractError(
                f"{where}: {name!r} is used as a key, version, event time or measure "
                "but is not a column"
            )
    for name in primary_key:
        if contract.column(name).nullable:
            raise ContractError(f"{where}: key column {name!r} must be declared nullable: false")
    if contract.measure and not contract.column(contract.measure).is_numeric:
        raise ContractError(f"{where}: measure {contract.measure!r} must be a numeric column")
    return contract


def _share(raw: dict, key: str, where: str) -> float:
    """A limit given as a share of the delivery's rows: a number from 0 to 1."""
    defaults = {
        "max_quarantine_share": DEFAULT_MAX_QUARANTINE_SHARE,
        "max_deduplicated_share": DEFAULT_MAX_DEDUPLICATED_SHARE,
    }
    value = raw.get(key, defaults[key])
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise ContractError(
            f"{where}: {key} must be a share from 0 to 1 (0.1 = 10%), got {value!r}"
        )
    return float(value)


def _check_source(contract: Contract, where: str) -> None:
    """Fail on a source format, encoding or delimiter the readers cannot honour."""
    if contract.source_format not in SOURCE_FORMATS:
        raise ContractError(
            f"{where}: source.format must be one of {sorted(SOURCE_FORMATS)}, "
            f"got {contract.source_format!r}"
        )
    try:
        codec = codecs.lookup(contract.source_encoding).name
    except LookupError:
        codec = None
    if codec not in SOURCE_ENCODINGS:
        raise ContractError(
            f"{where}: source.encoding {contract.source_encoding!r} is not supported; use "
            f"utf-8, utf-8-sig, latin-1 or cp1252 (convert other files to UTF-8 first)"
        )
    if contract.source_delimiter not in SOURCE_DELIMITERS:
        raise ContractError(
            f'{where}: source.delimiter must be one of , ; | or a tab ("\\t" in YAML), '
            f"got {contract.source_delimiter!r}"
        )
    limit = contract.source_max_field_chars
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise ContractError(
            f"{where}: source.max_field_chars must be a whole number of characters, got {limit!r}"
        )
    if not isinstance(contract.allow_empty, bool):
        raise ContractError(
            f"{where}: allow_empty must be true or false, got {contract.allow_empty!r}"
        )


def _parse_column(item: dict, where: str) -> Column:
    name = item.get("name")
    if not name:
        raise ContractError(f"{where}: a column has no name: {item}")
    column_type = str(item.get("type", "")).replace(" ", "")
    if column_type not in SIMPLE_TYPES and not DECIMAL_TYPE.fullmatch(column_type):
        raise ContractError(
            f"{where}: column {name!r} has unknown type {item.get('type')!r}; "
            f"use one of {sorted(SIMPLE_TYPES)} or decimal(p,s)"
        )
    normalize = item.get("normalize")
    if normalize is not None and normalize not in NORMALIZATIONS:
        raise ContractError(f"{where}: column {name!r}: normalize must be one of {NORMALIZATIONS}")
    accepted = item.get("accepted_values")
    return Column(
        name=name,
        type=column_type,
        nullable=bool(item.get("nullable", True)),
        description=str(item.get("description", "")),
        normalize=normalize,
        source_name=str(item["source_name"]) if item.get("source_name") else None,
        accepted_values=tuple(str(value) for value in accepted) if accepted else None,
        min=Decimal(str(item["min"])) if item.get("min") is not None else None,
        max=Decimal(str(item["max"])) if item.get("max") is not None else None,
    )
