"""A check that Great Expectations could not run says why, and big string columns load.

Both were found by `make bench` at 10 million orders: a bronze gate reported three failed
"not null" checks with no reason, because pandas could not filter a 3.5 GB string column
(32-bit offsets) and GX nests the exception it caught under each metric's ID.
"""

from __future__ import annotations

import pandas as pd
import pyarrow as pa

import great_expectations as gx
from medallion.quality.frames import to_pandas
from medallion.quality.results import failures_of


def validate(frame: pd.DataFrame, *expectations):
    context = gx.get_context(mode="ephemeral")
    asset = context.data_sources.add_pandas("frames").add_dataframe_asset("frame")
    batch = asset.add_batch_definition_whole_dataframe("whole").get_batch(
        batch_parameters={"dataframe": frame}
    )
    suite = context.suites.add(gx.ExpectationSuite(name="errors", expectations=list(expectations)))
    return batch.validate(suite)


def test_an_expectation_that_could_not_run_names_the_error():
    frame = pd.DataFrame({"code": ["a", "b"]})
    result = validate(
        frame,
        gx.expectations.ExpectColumnValuesToNotBeNull(column="missing_column"),
        gx.expectations.ExpectColumnValuesToMatchRegex(column="code", regex="(["),
        gx.expectations.ExpectColumnValuesToNotBeNull(column="code"),
    )

    failures = {failure.columns[0]: failure for failure in failures_of(result)}

    assert set(failures) == {"missing_column", "code"}
    assert (
        'The column "missing_column" in BatchData does not exist'
        in failures["missing_column"].error
    )
    assert "unterminated character set" in failures["code"].error
    assert "could not run: unterminated character set" in failures["code"].describe()


def test_strings_reach_pandas_with_64_bit_offsets():
    table = pa.table({"hash": pa.chunked_array([["ab", None], ["cd"]], pa.string())})

    frame = to_pandas(table)

    assert frame["hash"].dtype == pd.ArrowDtype(pa.large_string())
    assert frame["hash"].isna().tolist() == [False, True, False]
    # Filtering joins the chunks: the operation that overflowed 32-bit offsets.
    assert frame[frame["hash"].notna()]["hash"].tolist() == ["ab", "cd"]
