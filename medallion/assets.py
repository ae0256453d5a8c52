"""The medallion layers as Airflow assets: what each gate publishes, and what it held.

Airflow 3's data-aware scheduling: a task declares the assets it updates (`outlets`),
and a DAG scheduled on assets runs when they have all been updated. Here the task that
*publishes* a layer is its gate (write - audit - publish: readers see nothing the gate
has not passed), so the gates carry the outlets:

    validate_bronze_<table>  ->  medallion://bronze/<dataset>/<table>
    validate_silver_<table>  ->  medallion://silver/<dataset>/<table>
    validate_gold            ->  medallion://gold/<dataset>/<mart>   (one per mart)

An asset's name is `<layer>.<dataset>.<table>` and its group is the layer, so the UI's
Assets page lists the medallion layers. Every asset event carries what was published as
its `extra`: the partition (delivery date or hour) and the row count, for example
{"partition": "2026-11-02", "rows": 10401}. A gate that fails publishes nothing and
records no event, so nothing downstream runs on data that did not pass.

Nothing here reads files or imports anything heavy: DAG files call it while being parsed.
"""

from __future__ import annotations

from collections.abc import Iterable

from airflow.sdk import Asset

LAYERS = ("bronze", "silver", "gold")
SCHEME = "medallion"


def layer_asset(layer: str, dataset: str, table: str) -> Asset:
    """The asset of one table (or gold mart) of one layer of a dataset."""
    if layer not in LAYERS:
        raise ValueError(f"layer must be one of {', '.join(LAYERS)}, not {layer!r}")
    return Asset(
        name=f"{layer}.{dataset}.{table}",
        uri=f"{SCHEME}://{layer}/{dataset}/{table}",
        group=layer,
    )


def gold_assets(dataset: str, marts: Iterable[str]) -> list[Asset]:
    """The assets of a dataset's gold marts, in the order given."""
    return [layer_asset("gold", dataset, mart) for mart in marts]


def event_extras(gate_result: dict) -> dict[str, dict]:
    """{asset uri: extra} for the assets a passed gate published, from its result.

    Bronze and silver gates check one table; the gold gate checks every mart and counts
    each mart's rows (`rows_by_table`).
    """
    layer, dataset = gate_result["layer"], gate_result["dataset"]
    partition = gate_result["ingest_date"]
    if layer == "gold":
        rows = gate_result["rows_by_table"]
    else:
        rows = {gate_result["table"]: gate_result["rows"]}
    return {
        layer_asset(layer, dataset, table).uri: {"partition": partition, "rows": int(count)}
        for table, count in rows.items()
    }


def record_asset_events(outlet_events, outlets: Iterable[Asset], gate_result: dict) -> None:
    """Attach each published asset's extra to the event Airflow records for it.

    Every outlet must be one the gate published: an outlet it knows nothing about (a mart
    added to the DAG but not to dbt, say) is a wiring error, said at once.
    """
    extras = event_extras(gate_result)
    for asset in outlets:
        if asset.uri not in extras:
            raise ValueError(
                f"{asset.uri} is an outlet of this task, but the {gate_result['layer']} gate "
                f"published only {', '.join(sorted(extras))}"
            )
        outlet_events[asset].extra = extras[asset.uri]
