"""The contract's limits and reading rules: defaults, and loud errors on nonsense."""

from __future__ import annotations

import pytest

from medallion.contracts import ContractError, parse_contract

BASE = {
    "dataset": "shop",
    "table": "sales",
    "source": {"folder": "sales", "format": "csv"},
    "primary_key": ["sale_id"],
    "version_column": "sale_id",
    "columns": [
        {"name": "sale_id", "type": "string", "nullable": False},
        {"name": "amount", "type": "decimal(10,2)"},
        {"name": "shop", "type": "string"},
    ],
}


def test_defaults_keep_deduplication_and_rejection_apart():
    contract = parse_contract(BASE)

    assert (contract.max_quarantine_share, contract.max_deduplicated_share) == (0.05, 0.10)
    assert (contract.null_values, contract.measure) == ((), None)


def test_limits_null_values_and_measure_are_read():
    contract = parse_contract(
        {
            **BASE,
            "source": {**BASE["source"], "null_values": ["NA", "-"]},
            "max_deduplicated_share": 0.5,
            "measure": "amount",
        }
    )

    assert contract.max_deduplicated_share == 0.5
    assert contract.null_values == ("NA", "-")
    assert contract.measure == "amount"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"max_deduplicated_share": 10}, "max_deduplicated_share must be a share from 0 to 1"),
        ({"max_deduplicated_share": "10%"}, "max_deduplicated_share must be a share from 0 to 1"),
        ({"max_quarantine_share": -0.1}, "max_quarantine_share must be a share from 0 to 1"),
        ({"measure": "shop"}, "measure 'shop' must be a numeric column"),
        ({"measure": "revenue"}, "'revenue' is used as a key, version, event time or measure"),
    ],
)
def test_nonsense_is_refused_naming_the_field(changes, message):
    with pytest.raises(ContractError, match=message):
        parse_contract({**BASE, **changes})
