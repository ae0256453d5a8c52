"""What a sample of records suggests about each column: name, type, nulls, values, range.

Every inference is a guess from a sample, so each one the user must check is recorded in
`ColumnGuess.confirm`. Types are chosen so that the refine step's casts accept every
sampled value (trimmed; empty or a null token = null), and only when a cast would lose
nothing. Null tokens are the texts exports write for "no value": `NA` (R), `N/A`, `NULL`,
`null`, `None` (Python), `-`. A column holding them is nullable, they do not make a
numeric column text, and the draft contract lists the ones found (`source.null_values`)
so the refine step reads them as null too.


| type          | when every non-empty value ...                                     |
|---------------|--------------------------------------------------------------------|
| boolean       | is true/false or yes/no (any case)                                 |
| integer/long  | is a whole number without leading zeros (an id "007" stays string) |
| decimal(p,s)  | is a plain number with a decimal point ("12.50", not "12,50")      |
| double        | is a number in scientific notation ("1.5e-3")                      |
| date          | is an ISO date (2026-11-20)                                        |
| timestamp     | is an ISO date and time (2026-11-20 06:00:00, 2026-11-20T06:00Z)   |
| string        | anything else, and JSON objects or lists (kept as JSON text)        |
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

BOOLEAN_VALUES = {"true", "false", "yes", "no"}
WHOLE = re.compile(r"^[+-]?(0|[1-9]\d*)$")
DECIMAL = re.compile(r"^[+-]?\d+\.(\d+)$")
SCIENTIFIC = re.compile(r"^[+-]?\d+(\.\d+)?[eE][+-]?\d+$")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ISO_TIMESTAMP = re.compile(
    r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?$"
)
INT32 = 2**31 - 1
INT64 = 2**63 - 1
# A string column with at most this many distinct values, each repeated in the sample,
# gets them as accepted values (a status, a country code, a category).
MAX_ACCEPTED_VALUES = 12
MAX_ACCEPTED_LENGTH = 40
SQL_RESERVED = {"select", "from", "where", "group", "order", "by", "table", "date", "user"}
NULL_TOKENS = ("NA", "N/A", "NULL", "null", "None", "-")


@dataclass
class ColumnGuess:
    """One column: its names, inferred type and rules, and what the user must confirm."""

    source_name: str
    name: str
    type: str
    nullable: bool
    distinct: int
    accepted_values: list[str] | None = None
    min: Decimal | None = None
    max: Decimal | None = None
    nested: bool = False
    # Null tokens found in the column and how often: {"NA": 120}.
    null_tokens: dict[str, int] = field(default_factory=dict)
    confirm: list[str] = field(default_factory=list)

    @property
    def is_numeric(self) -> bool:
        return self.type in {"integer", "long", "double"} or self.type.startswith("decimal")


def snake_case(name: str) -> str:
    """`Order Date` -> order_date, `Straße` -> strasse, `2nd Value` -> c_2nd_value."""
    text = name.replace("ß", "ss")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", text)  # camelCase -> camel_Case
    text = re.sub(r"[^0-9a-zA-Z]+", "_", text).strip("_").lower()
    if not text or text[0].isdigit():
        text = f"c_{text}" if text else "column"
    return text


def contract_names(source_names: list[str]) -> list[str]:
    """snake_case names, made unique with _2, _3 ... where two names collapse into one."""
    names: list[str] = []
    for source_name in source_names:
        base = snake_case(source_name)
        name, number = base, 2
        while name in names:
            name, number = f"{base}_{number}", number + 1
        names.append(name)
    return names


def guess_column(
    source_name: str, name: str, values: list[str | None], nested: bool
) -> ColumnGuess:
    """Type, nullability, accepted values and range of one column from its sampled values."""
    cleaned = [value.strip() if value is not None else "" for value in values]
    tokens = [value for value in cleaned if value in NULL_TOKENS]
    present = [value for value in cleaned if value and value not in NULL_TOKENS]
    guess = ColumnGuess(
        source_name=source_name,
        name=name,
        type="string" if nested else guess_type(present),
        nullable=len(present) < len(cleaned) or not present,
        distinct=len(set(present)),
        nested=nested,
        null_tokens={token: tokens.count(token) for token in NULL_TOKENS if token in tokens},
    )
    if guess.null_tokens:
        found = ", ".join(f"{token!r} ({count:,}x)" for token, count in guess.null_tokens.items())
        guess.confirm.append(f"read as null: {found} in the sample; or are they values?")
    if nested:
        guess.confirm.append("holds JSON objects or lists, kept as JSON text")
    elif not present:
        guess.confirm.append("empty in the whole sample: type string is a placeholder")
    if guess.is_numeric and present:
        _add_range(guess, present)
    if guess.type == "string" and not nested:
        _add_accepted_values(guess, present)
    return guess


def guess_type(values: list[str]) -> str:
    """The narrowest contract type every (trimmed, non-empty) value casts to."""
    if not values:
        return "string"
    if all(value.lower() in BOOLEAN_VALUES for value in values):
        return "boolean"
    if all(WHOLE.match(value) for value in values):
        largest = max(abs(int(value)) for value in values)
        return "integer" if largest <= INT32 else "long" if largest <= INT64 else "string"
    if all(WHOLE.match(value) or DECIMAL.match(value) for value in values):
        scale = max(len(m.group(1)) for value in values if (m := DECIMAL.match(value)))
        digits = max(len(value.lstrip("+-").split(".")[0]) for value in values)
        # Two digits of headroom for larger values than the sample's, within DuckDB's 38.
        return f"decimal({min(digits + scale + 2, 38)},{scale})" if scale <= 6 else "double"
    if all(
        WHOLE.match(value) or DECIMAL.match(value) or SCIENTIFIC.match(value) for value in values
    ):
        return "double"
    if all(ISO_DATE.match(value) and _is_date(value) for value in values):
        return "date"
    if all(ISO_TIMESTAMP.match(value) and _is_timestamp(value) for value in values):
        return "timestamp"
    return "string"


def _is_date(value: str) -> bool:
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _is_timestamp(value: str) -> bool:
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def _add_range(guess: ColumnGuess, present: list[str]) -> None:
    """A loosened range: 0 or the minimum less the spread, the maximum plus the spread."""
    numbers = [Decimal(value) for value in present]
    low, high = min(numbers), max(numbers)
    spread = (high - low) or abs(high) or Decimal(1)
    guess.min = Decimal(0) if low >= 0 else low - spread
    guess.max = high + spread
    if guess.type in {"integer", "long"}:
        guess.min, guess.max = Decimal(int(guess.min)), Decimal(int(guess.max))
    elif guess.type.startswith("decimal"):
        scale = Decimal(1).scaleb(-int(guess.type.split(",")[1].rstrip(")")))
        guess.min, guess.max = guess.min.quantize(scale), guess.max.quantize(scale)
    guess.confirm.append(
        f"range {guess.min}..{guess.max} (sample: {low}..{high}, loosened): set the real limits"
    )


def _add_accepted_values(guess: ColumnGuess, present: list[str]) -> None:
    """Small, repeated value sets become accepted values; the user confirms the list."""
    distinct = sorted(set(present))
    small = len(distinct) <= MAX_ACCEPTED_VALUES and len(present) >= 2 * len(distinct)
    if small and all(len(value) <= MAX_ACCEPTED_LENGTH for value in distinct):
        guess.accepted_values = distinct
        guess.confirm.append(f"accepted values {distinct}: complete? (values seen in the sample)")
