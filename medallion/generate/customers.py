"""The CRM export: customer versions, drawn so any customer can be recomputed later.

A customer's base attributes are a pure function of (seed, customer index) via
`hashed_uniform`, so a later day can write a changed version of customer 4,711 without
the generator holding every customer in memory. Customers are numbered from 0: the first
delivery holds 0 .. first_count-1, each later day appends `new_per_day` more.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from medallion.generate import quirks, text
from medallion.generate.randomness import hashed_choice, hashed_uniform, pick_rows

SEGMENTS = ("consumer", "corporate", "small_business")
SEGMENT_WEIGHTS = [0.7, 0.1, 0.2]
REGIONS = ("north", "south", "east", "west")
UNKNOWN_REGION = "central"
EMAIL_DOMAINS = ("example.com", "example.org", "example.net", "mail.example.com")
# (as written in the name, as written in the e-mail address)
FIRST_NAMES = (
    ("Anna", "anna"), ("Zoë", "zoe"), ("Lukas", "lukas"), ("Mia", "mia"), ("Noah", "noah"),
    ("Emma", "emma"), ("Liam", "liam"), ("Sofia", "sofia"), ("Mateo", "mateo"),
    ("Chloé", "chloe"), ("Jonas", "jonas"), ("Léa", "lea"), ("Omar", "omar"),
    ("Aisha", "aisha"), ("Yuki", "yuki"), ("Wei", "wei"), ("Priya", "priya"),
    ("Arjun", "arjun"), ("Olivia", "olivia"), ("Ethan", "ethan"), ("Fatima", "fatima"),
    ("Jürgen", "juergen"), ("Søren", "soren"), ("Inès", "ines"),
)  # fmt: skip
LAST_NAMES = (
    ("Müller", "mueller"), ("Smith", "smith"), ("García", "garcia"), ("Rossi", "rossi"),
    ("Nowak", "nowak"), ("Dubois", "dubois"), ("Jensen", "jensen"), ("O'Brien", "obrien"),
    ("Kowalski", "kowalski"), ("Tanaka", "tanaka"), ("Chen", "chen"), ("Patel", "patel"),
    ("Silva", "silva"), ("Novák", "novak"), ("Andersson", "andersson"), ("Martin", "martin"),
    ("de Vries", "devries"), ("Papadopoulos", "papadopoulos"), ("Nguyen", "nguyen"),
    ("Khan", "khan"),
)  # fmt: skip

NO_EMAIL_SHARE = 0.03  # customers who gave no e-mail: empty field
LAST_NAME_FIRST_SHARE = 0.01  # "Müller, Anna": the comma forces CSV quoting
MIXED_CASE_SHARE = 0.02  # segment written as CORPORATE or Small_business
UNKNOWN_REGION_SHARE = 0.01  # an extra, invalid version of a customer (see below)


@dataclass(frozen=True)
class CustomerBook:
    """How many customers exist when, and what each one looks like at first."""

    seed: int
    start: date
    first_count: int
    new_per_day: int

    def delivered_through(self, day_index: int) -> int:
        """Customers delivered on delivery days 0 .. day_index."""
        return self.first_count + day_index * self.new_per_day

    def signup_days(self, index: np.ndarray) -> np.ndarray:
        """Epoch day of each customer's signup: before the first delivery, or the day of
        the delivery that brought the customer."""
        start_day = text.day_start(self.start) // text.SECONDS_PER_DAY
        days_before = (hashed_uniform(self.seed, "signup", index) * 1000).astype(np.int64)
        before_start = start_day - 2 - days_before
        delivered_on = start_day + 1 + (index - self.first_count) // max(self.new_per_day, 1)
        return np.where(index < self.first_count, before_start, delivered_on).astype(np.int64)

    def base_versions(self, index: np.ndarray) -> dict[str, np.ndarray]:
        """Each customer's first version, as numbers (codes into the tuples above)."""
        signup = self.signup_days(index)
        signup_time = hashed_uniform(self.seed, "signup_time", index) * text.SECONDS_PER_DAY
        has_email = hashed_uniform(self.seed, "has_email", index) >= NO_EMAIL_SHARE
        domain = hashed_choice(self.seed, "domain", index, [1] * len(EMAIL_DOMAINS))
        return {
            "index": index,
            "segment": hashed_choice(self.seed, "segment", index, SEGMENT_WEIGHTS),
            "region": hashed_choice(self.seed, "region", index, [1] * len(REGIONS)),
            "domain": np.where(has_email, domain, -1),
            "signup": signup,
            "updated": signup * text.SECONDS_PER_DAY + signup_time.astype(np.int64),
        }


def changed_versions(
    book: CustomerBook, generator: np.random.Generator, day: date, index: np.ndarray
) -> dict[str, np.ndarray]:
    """New versions of existing customers: half changed their e-mail, half their segment.

    Each change starts from the customer's first version, written at a moment of `day`.
    """
    count = len(index)
    versions = book.base_versions(index)
    changes_email = generator.random(count) < 0.5
    # Shifting a code by 1 .. n-1 (mod n) always lands on a different value.
    domain_shift = generator.integers(1, len(EMAIL_DOMAINS), count)
    new_domain = (np.maximum(versions["domain"], 0) + domain_shift) % len(EMAIL_DOMAINS)
    segment_shift = generator.integers(1, len(SEGMENTS), count)
    new_segment = (versions["segment"] + segment_shift) % len(SEGMENTS)
    versions["domain"] = np.where(changes_email, new_domain, versions["domain"])
    versions["segment"] = np.where(changes_email, versions["segment"], new_segment)
    versions["updated"] = text.day_start(day) + generator.integers(0, text.SECONDS_PER_DAY, count)
    return versions


def concat_versions(*parts: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {name: np.concatenate([part[name] for part in parts]) for name in parts[0]}


def customer_ids(index: np.ndarray) -> pa.Array:
    return text.padded_ids("C", index + 1, 8)


def customer_columns(
    book: CustomerBook,
    versions: dict[str, np.ndarray],
    generator: np.random.Generator,
    invalid_at_least: int,
) -> quirks.Columns:
    """The delivered text of these versions, quirks included.

    An unknown region arrives as an *extra* version of a customer in the same file, one
    minute to an hour newer than the valid one: the valid version must survive, so every
    order's customer stays resolvable in gold.
    """
    valid_count = len(versions["index"])
    broken = pick_rows(generator, valid_count, UNKNOWN_REGION_SHARE, invalid_at_least)
    invalid = {name: values[broken] for name, values in versions.items()}
    invalid["updated"] = invalid["updated"] + generator.integers(60, 3600, len(broken))
    versions = concat_versions(versions, invalid)
    region = text.labels(REGIONS, versions["region"])
    invalid_rows = np.arange(valid_count, valid_count + len(broken))
    region = quirks.replace_at(region, invalid_rows, UNKNOWN_REGION)
    segment = text.labels(SEGMENTS, versions["segment"])
    return {
        "customer_id": customer_ids(versions["index"]),
        "full_name": _full_names(book.seed, versions["index"]),
        "email": _emails(book.seed, versions["index"], versions["domain"]),
        "segment": quirks.messy_case(segment, generator, MIXED_CASE_SHARE),
        "region": region,
        "signup_date": text.dates(versions["signup"]),
        "updated_at": text.timestamps(versions["updated"]),
    }


def _name_parts(seed: int, index: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    first = hashed_choice(seed, "first_name", index, [1] * len(FIRST_NAMES))
    last = hashed_choice(seed, "last_name", index, [1] * len(LAST_NAMES))
    return first, last


def _full_names(seed: int, index: np.ndarray) -> pa.Array:
    first_code, last_code = _name_parts(seed, index)
    first = text.labels([display for display, _ in FIRST_NAMES], first_code)
    last = text.labels([display for display, _ in LAST_NAMES], last_code)
    last_name_first = hashed_uniform(seed, "last_name_first", index) < LAST_NAME_FIRST_SHARE
    return pc.if_else(
        pa.array(last_name_first),
        pc.binary_join_element_wise(last, first, ", "),
        pc.binary_join_element_wise(first, last, " "),
    )


def _emails(seed: int, index: np.ndarray, domain: np.ndarray) -> pa.Array:
    """first.last42@domain, or null (an empty field) where the customer gave none."""
    first_code, last_code = _name_parts(seed, index)
    first = text.labels([address for _, address in FIRST_NAMES], first_code)
    last = text.labels([address for _, address in LAST_NAMES], last_code)
    number = text.integers(index + 1)
    domains = text.labels(EMAIL_DOMAINS, domain)
    return pc.binary_join_element_wise(first, ".", last, number, "@", domains, "")
