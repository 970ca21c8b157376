"""Shared fixtures: the small survey test instrument and a clean hand-made wave for it."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def survey_instrument():
    """tests/data/survey_instrument.yaml: PB (4 items, pb4 reversed), NET, TRUST (trust3 reversed), RES = STAB+REC+ADP."""
    from resilience_stats.instruments import load_instrument

    return load_instrument(DATA / "survey_instrument.yaml")


@pytest.fixture()
def clean_survey(survey_instrument) -> pd.DataFrame:
    """15 respondents whose answers trigger no validation check (no straight-lining, no duplicates...)."""
    items = survey_instrument.item_ids
    rows = []
    for r in range(15):
        step = 1 + r // 5
        row = {"respondent_id": f"A{r + 1:02d}", "community": f"C{r % 3 + 1}", "wave": 1,
               "duration": 300 + 10 * r, "gender": 1 + r % 2}
        row.update({item: float(1 + (r + j * step) % 5) for j, item in enumerate(items)})
        rows.append(row)
    return pd.DataFrame(rows)


@pytest.fixture(scope="session")
def bfi_items() -> pd.DataFrame:
    """The 25 bfi items (tests/data/bfi.csv, psych's bfi; 2800 rows with missing answers)."""
    return pd.read_csv(DATA / "bfi.csv").iloc[:, :25]


@pytest.fixture(scope="session")
def pbsc_items() -> pd.DataFrame:
    """The 29 items of the example survey (tests/data/example_survey_pbsc.csv; 600 rows, complete)."""
    return pd.read_csv(DATA / "example_survey_pbsc.csv")


@pytest.fixture(scope="session")
def psych_cmb_golden() -> dict:
    """tests/golden/psych_cmb.json (psych omega / fa.poly / mardia / splitHalf); a missing file fails the test."""
    import json

    return json.loads((Path(__file__).parent / "golden" / "psych_cmb.json").read_text())
