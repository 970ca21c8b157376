"""rs.invariance with a list of waves (the form rs.report takes)."""

from __future__ import annotations

import pandas as pd
import pytest

from resilience_stats.errors import DataError, ModelSpecificationError
from resilience_stats.sem.invariance import invariance


def test_a_list_of_waves_is_pooled_as_the_report_does():
    """rs.invariance accepts the list of waves rs.report takes: each wave becomes a group of a ``wave`` column."""
    from resilience_stats.sem.invariance import simulate_groups

    df = simulate_groups(n=(250, 250), seed=4)
    w1 = df[df["group"] == df["group"].iloc[0]].drop(columns="group")
    w2 = df[df["group"] != df["group"].iloc[0]].drop(columns="group")
    model = "F =~ y1 + y2 + y3 + y4"
    as_list = invariance(model, [w1, w2], levels=("configural", "metric"))
    as_frame = invariance(model, pd.concat([w1.assign(wave=1), w2.assign(wave=2)], ignore_index=True), "wave",
                          levels=("configural", "metric"))
    pd.testing.assert_frame_equal(as_list.table, as_frame.table)
    assert w1.columns.tolist() == ["y1", "y2", "y3", "y4"]  # the inputs are not modified
    with pytest.raises(ModelSpecificationError, match="needs group="):
        invariance(model, df)
    with pytest.raises(DataError, match="missing in wave"):
        invariance(model, [w1, w2], group="group")
