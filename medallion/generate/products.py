"""The product catalogue and its price history.

The catalogue is small (at most a few thousand products) and stays in memory for the
whole run, together with every price version, so an order line can carry the list price
that was in force at the moment of the order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from medallion.generate import quirks, text
from medallion.generate.randomness import pick_rows

CATEGORIES = ("electronics", "home", "fashion", "sports", "books", "beauty")
# Price range in EUR per category: list prices are spread log-uniformly inside.
PRICE_RANGES = ((15, 1500), (5, 400), (10, 250), (8, 600), (5, 60), (3, 120))
NOUNS = (
    ("Headphones", "Charger", "Keyboard", "Monitor", "Speaker", "Webcam", "Router", "Smartwatch"),
    ("Lamp", "Cushion", "Kettle", "Vase", "Blanket", "Shelf", "Mug Set", "Wall Clock"),
    ("Jacket", "Sneakers", "Scarf", "T-Shirt", "Jeans", "Backpack", "Belt", "Sunglasses"),
    ("Yoga Mat", "Football", "Dumbbells", "Bottle", "Racket", "Gloves", "Shorts", "Jump Rope"),
    ("Cookbook", "Novel", "Travel Guide", "Atlas", "Poems", "Biography", "Comic", "Workbook"),
    ("Face Cream", "Shampoo", "Lip Balm", "Perfume", "Sunscreen", "Comb", "Nail Polish", "Soap"),
)
ADJECTIVES = ("Classic", "Compact", "Deluxe", "Eco", "Essential", "Premium", "Smart", "Urban")
MIXED_CASE_SHARE = 0.02  # category written as Electronics or BOOKS
PRICE_CHANGE_SHARE = 0.005  # products whose price changes on a later day


@dataclass
class Catalogue:
    """Every product's fixed attributes and every list price version so far."""

    category: np.ndarray  # code into CATEGORIES
    adjective: np.ndarray  # code into ADJECTIVES
    noun: np.ndarray  # code into the category's NOUNS
    unit_cost: np.ndarray  # cents
    popularity: np.ndarray  # cumulative weights for drawing products in orders
    history_product: np.ndarray  # price versions, sorted by (product, valid_from)
    history_valid_from: np.ndarray  # epoch seconds (the version's updated_at)
    history_price: np.ndarray  # list price in cents

    @property
    def size(self) -> int:
        return len(self.category)

    def draw(self, generator: np.random.Generator, count: int) -> np.ndarray:
        """Products for `count` order lines, popular ones more often."""
        return np.searchsorted(self.popularity, generator.random(count) * self.popularity[-1])

    def version_at(self, product: np.ndarray, epoch_seconds: np.ndarray) -> np.ndarray:
        """Position in the history of each product's version in force at each moment: the
        newest one whose updated_at is not later (an as-of lookup by binary search)."""
        versions = _as_of_key(self.history_product, self.history_valid_from)
        return np.searchsorted(versions, _as_of_key(product, epoch_seconds), side="right") - 1

    def price_at(self, product: np.ndarray, epoch_seconds: np.ndarray) -> np.ndarray:
        """List price (cents) of each product at each moment."""
        return self.history_price[self.version_at(product, epoch_seconds)]

    def latest_price(self, product: np.ndarray) -> np.ndarray:
        """List price (cents) of each product's newest version."""
        newest = np.searchsorted(self.history_product, product, side="right") - 1
        return self.history_price[newest]

    def add_prices(self, product: np.ndarray, valid_from: np.ndarray, price: np.ndarray) -> None:
        history = np.concatenate([self.history_product, product])
        valid = np.concatenate([self.history_valid_from, valid_from])
        order = np.lexsort((valid, history))
        self.history_product = history[order]
        self.history_valid_from = valid[order]
        self.history_price = np.concatenate([self.history_price, price])[order]


def _as_of_key(product: np.ndarray, epoch_seconds: np.ndarray) -> np.ndarray:
    # One sortable number per (product, moment); epoch seconds stay below 2**34 until 2514.
    return product.astype(np.int64) * (1 << 34) + epoch_seconds


def new_catalogue(generator: np.random.Generator, size: int, start: date) -> Catalogue:
    """The catalogue of the first delivery; its versions were written before `start`."""
    category = generator.integers(0, len(CATEGORIES), size)
    low, high = np.log(np.array(PRICE_RANGES, dtype=float)[category].T)
    price = np.round(np.exp(generator.uniform(low, high)) * 100).astype(np.int64)
    unit_cost = np.maximum(1, np.round(price * generator.uniform(0.35, 0.8, size))).astype(np.int64)
    written = text.day_start(start) - generator.integers(2, 400, size) * text.SECONDS_PER_DAY
    return Catalogue(
        category=category,
        adjective=generator.integers(0, len(ADJECTIVES), size),
        noun=generator.integers(0, len(NOUNS[0]), size),
        unit_cost=unit_cost,
        popularity=np.cumsum(generator.pareto(1.5, size) + 0.05),
        history_product=np.arange(size),
        history_valid_from=written + generator.integers(0, text.SECONDS_PER_DAY, size),
        history_price=price,
    )


def change_prices(
    catalogue: Catalogue, generator: np.random.Generator, day: date
) -> tuple[np.ndarray, np.ndarray]:
    """Reprice a few products during `day` (new versions).

    Returns the products changed and when each new price took effect (its updated_at).
    """
    changed = pick_rows(generator, catalogue.size, PRICE_CHANGE_SHARE, 1)
    old = catalogue.latest_price(changed)
    new = np.round(old * generator.uniform(0.85, 1.15, len(changed))).astype(np.int64)
    # The shop never sells below cost: unit_cost < list_price in every version.
    new = np.maximum(new, catalogue.unit_cost[changed] + 1)
    valid_from = text.day_start(day) + generator.integers(0, text.SECONDS_PER_DAY, len(changed))
    catalogue.add_prices(changed, valid_from, new)
    return changed, valid_from


def product_ids(product: np.ndarray) -> pa.Array:
    return text.padded_ids("P", product + 1, 5)


def product_columns(
    catalogue: Catalogue, product: np.ndarray, as_of: np.ndarray, generator: np.random.Generator
) -> quirks.Columns:
    """The delivered text of these products' versions in force at `as_of`."""
    version = catalogue.version_at(product, as_of)
    category = catalogue.category[product]
    all_nouns = [noun for category_nouns in NOUNS for noun in category_nouns]
    noun = text.labels(all_nouns, category * len(NOUNS[0]) + catalogue.noun[product])
    adjective = text.labels(ADJECTIVES, catalogue.adjective[product])
    category_text = text.labels(CATEGORIES, category)
    return {
        "product_id": product_ids(product),
        "product_name": pc.binary_join_element_wise(adjective, noun, " "),
        "category": quirks.messy_case(category_text, generator, MIXED_CASE_SHARE),
        "unit_cost": text.money(catalogue.unit_cost[product]),
        "list_price": text.money(catalogue.history_price[version]),
        "updated_at": text.timestamps(catalogue.history_valid_from[version]),
    }
