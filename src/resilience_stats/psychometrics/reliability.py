"""Scale reliability per construct: Cronbach's alpha (raw and standardised) with Feldt or bootstrap
confidence intervals, average inter-item correlation, McDonald's omega total, and ordinal alpha/omega.

Missing data (``missing="pairwise"``, the default, as ``psych::alpha(use = "pairwise")``): the item
covariance matrix ``C`` is computed over pairwise complete cases; raw alpha uses ``C``, standardised alpha
and the average inter-item correlation use ``cov2cor(C)`` (exactly what psych 2.2.9's ``alpha`` does), while
omega uses the pairwise correlation matrix ``cor(x, use = "pairwise")`` (each correlation with its own pair's
means and variances, as ``psych::omega``).  ``missing="listwise"`` drops every row with a missing
value on the construct's items first.  ``n_obs`` is the number of rows with at least one observed item of the
construct (pairwise; equal to psych's number of rows when no row is entirely missing) or of complete rows
(listwise); it is the ``n`` of the Feldt interval.  ``n_dropped`` counts the other rows (left out entirely);
when listwise deletion drops more than 10 % of the rows that answered the construct at all, a warning says so.

A construct needs at least 3 respondents; an item listed twice in a construct is refused, and two items with
identical answers are noted (a duplicated column inflates alpha).

Formulas (k items):

* alpha = k/(k-1) (1 - tr C / sum C); with Rc = cov2cor(C): alpha_std = k/(k-1) (1 - k / sum Rc),
  avg_r = (sum Rc - k) / (k(k-1));
* Feldt 95% CI: 1 - (1 - alpha) F_{.975}(n-1, (n-1)(k-1)) and 1 - (1 - alpha) F_{.025}(...), as
  ``psych::alpha.ci``;
* omega_total = 1 - sum(u2) / sum(R) with u2 the uniquenesses of a one-factor minres solution of R -- psych's
  ``omega(nfactors = 1)$omega.tot`` (``omega_factors`` > 1 uses that many factors, as ``omega(nfactors = m)``);
* ordinal alpha / omega: the same standardised formulas on the polychoric correlation matrix.
"""

from __future__ import annotations

import warnings
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import DataError, ResilienceStatsWarning
from ._common import check_items, pairwise_corr, pairwise_cov, resolve_items
from ._fa import extract

__all__ = ["reliability", "alpha_coefficients", "feldt_ci", "omega_total"]


def alpha_coefficients(c: np.ndarray, r: np.ndarray) -> tuple[float, float, float]:
    """(raw alpha, standardised alpha, average r) from a covariance and a correlation matrix."""
    k = c.shape[0]
    raw = (1.0 - np.trace(c) / c.sum()) * k / (k - 1)
    std = (1.0 - k / r.sum()) * k / (k - 1)
    avg_r = (r.sum() - k) / (k * (k - 1))
    return float(raw), float(std), float(avg_r)


def feldt_ci(alpha: float, n_obs: int, n_items: int, level: float = 0.95) -> tuple[float, float]:
    """Feldt's confidence interval of coefficient alpha (psych's ``alpha.ci``)."""
    a = 1.0 - level
    df1, df2 = n_obs - 1, (n_obs - 1) * (n_items - 1)
    lower = 1.0 - (1.0 - alpha) * stats.f.ppf(1 - a / 2, df1, df2)
    upper = 1.0 - (1.0 - alpha) * stats.f.ppf(a / 2, df1, df2)
    return float(lower), float(upper)


def omega_total(r: np.ndarray, n_factors: int = 1) -> float:
    """psych's omega total ``1 - sum(u2)/sum(R)`` with u2 from a ``n_factors`` minres solution of ``r``."""
    ext = extract(r, n_factors, "minres")
    return float(1.0 - (1.0 - ext.communality).sum() / r.sum())


def _matrices(x: np.ndarray, missing: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """(C, cov2cor(C), R, n): covariances, their correlations (for alpha) and correlations (for omega)."""
    if missing == "listwise":
        x = x[~np.isnan(x).any(axis=1)]
        n = x.shape[0]
        c = np.cov(x, rowvar=False)
        d = np.sqrt(np.diag(c))
        return c, c / np.outer(d, d), c / np.outer(d, d), n
    n = int((~np.isnan(x)).any(axis=1).sum())
    c = pairwise_cov(x)
    d = np.sqrt(np.diag(c))
    return c, c / np.outer(d, d), pairwise_corr(x), n


def _bootstrap_alpha(x: np.ndarray, missing: str, n_boot: int, seed: int | None, level: float):
    rng = np.random.default_rng(seed)
    n = x.shape[0]
    vals = np.empty(n_boot)
    for b in range(n_boot):
        xb = x[rng.integers(0, n, n)]
        if missing == "listwise":
            c = np.cov(xb, rowvar=False)
        else:
            c = pairwise_cov(xb)
        k = c.shape[0]
        vals[b] = (1.0 - np.trace(c) / c.sum()) * k / (k - 1)
    vals = vals[np.isfinite(vals)]
    a = 1.0 - level
    return float(np.quantile(vals, a / 2)), float(np.quantile(vals, 1 - a / 2))


#: Listwise deletion that drops more than this share of the answering rows gives a warning.
LISTWISE_WARN_SHARE = 0.10
#: Fewest respondents for which reliability is computed.
MIN_RESPONDENTS = 3


def _one_construct(name, items: pd.DataFrame, ci, n_boot, seed, ordinal, missing, omega_factors, level):
    x = items.to_numpy()
    answering = int((~np.isnan(x)).any(axis=1).sum())
    notes = []
    if missing == "listwise":
        complete = int((~np.isnan(x)).all(axis=1).sum())
        lost = answering - complete
        if lost:
            notes.append(f"listwise deletion dropped {lost} of {answering} respondents with incomplete answers")
            if answering and lost / answering > LISTWISE_WARN_SHARE:
                warnings.warn(f"reliability: construct {name!r}: listwise deletion dropped {lost} of {answering} "
                              f"respondents ({lost / answering:.0%}, more than {LISTWISE_WARN_SHARE:.0%}); consider "
                              "missing='pairwise'", ResilienceStatsWarning, stacklevel=3)
        if complete < MIN_RESPONDENTS:
            raise DataError(f"construct {name!r}: {complete} complete respondent(s) after listwise deletion; "
                            f"reliability needs at least {MIN_RESPONDENTS}")
        check_items(items.dropna(how="any"), f"construct {name!r} (complete cases)")
    c, rc, r, n = _matrices(x, missing)
    k = x.shape[1]
    if np.isnan(c).any() or np.isnan(r).any():
        raise DataError(f"construct {name!r}: some item pairs have fewer than 2 joint observations")
    same = [f"{a} and {b}" for i, a in enumerate(items.columns) for j, b in enumerate(items.columns)
            if i < j and items[a].equals(items[b])]
    if same:
        notes.append(f"items with identical answers (a duplicated column?): {', '.join(same)}; alpha is inflated")
        warnings.warn(f"reliability: construct {name!r}: items with identical answers (a duplicated column?): "
                      f"{', '.join(same)}", ResilienceStatsWarning, stacklevel=3)
    alpha, alpha_std, avg_r = alpha_coefficients(c, rc)
    if ci == "feldt":
        lo, hi = feldt_ci(alpha, n, k, level)
    else:
        x_use = x[~np.isnan(x).any(axis=1)] if missing == "listwise" else x[(~np.isnan(x)).any(axis=1)]
        lo, hi = _bootstrap_alpha(x_use, missing, n_boot, seed, level)
    dof = k * (k - 1) / 2 - k * omega_factors + omega_factors * (omega_factors - 1) / 2
    if k < 3 or dof < 0:
        om = float("nan")
        notes.append(f"omega_total needs a {omega_factors}-factor model with df >= 0 ({k} items): not computed")
    else:
        om = omega_total(r, omega_factors)
    row = {"construct": name, "n_items": k, "n_obs": n, "n_dropped": len(x) - n, "alpha": alpha, "alpha_std": alpha_std,
           "alpha_ci_lower": lo, "alpha_ci_upper": hi, "avg_r": avg_r, "omega_total": om}
    if ordinal:
        from .polychoric import polychoric

        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            pc = polychoric(items.dropna(how="any") if missing == "listwise" else items)
        notes.extend(str(w.message) for w in caught if issubclass(w.category, ResilienceStatsWarning))
        rp = pc.corr.to_numpy()
        row["ordinal_alpha"] = (1.0 - k / rp.sum()) * k / (k - 1)
        row["ordinal_omega"] = omega_total(rp, omega_factors) if not np.isnan(om) else float("nan")
    if alpha < 0:
        notes.append("negative alpha: items negatively correlated (reverse-keyed items not recoded?)")
    row["note"] = "; ".join(notes)
    return row


def reliability(
    data: Any,
    ci: str = "feldt",
    n_boot: int = 1000,
    seed: int | None = 0,
    ordinal: bool = False,
    missing: str = "pairwise",
    *,
    constructs: Mapping[str, Sequence[str]] | None = None,
    reverse: Sequence[str] | None = None,
    omega_factors: int = 1,
    level: float = 0.95,
) -> pd.DataFrame:
    """Reliability of each construct (one row per construct).

    Parameters
    ----------
    data : SurveyWave or pandas.DataFrame
        A wave (constructs from its instrument) or a DataFrame whose columns form one scale (construct
        ``"scale"``) unless ``constructs`` is given.
    ci : {"feldt", "bootstrap"}
        Confidence interval of raw alpha: Feldt's F-based interval, or the bootstrap percentile interval
        (``n_boot`` resamples of rows, generator seeded with ``seed``).
    n_boot : int, default 1000
    seed : int or None, default 0
    ordinal : bool, default False
        Also ``ordinal_alpha`` and ``ordinal_omega`` from polychoric correlations.
    missing : {"pairwise", "listwise"}
        See the module docstring; ``"pairwise"`` reproduces ``psych::alpha``.
    constructs : mapping, optional
        ``{name: [items]}`` overriding the instrument's constructs.
    reverse : sequence of str, optional
        Reverse-keyed items to recode as ``(min + max) - x`` first (the instrument's scale bounds when known,
        else the observed ones); leave None when the data are already scored.
    omega_factors : int, default 1
        Factors of the model behind omega total.
    level : float, default 0.95
        Confidence level.

    Returns
    -------
    pandas.DataFrame
        Columns ``construct, n_items, n_obs, n_dropped, alpha, alpha_std, alpha_ci_lower, alpha_ci_upper, avg_r,
        omega_total`` (+ ``ordinal_alpha, ordinal_omega``), ``note`` (why a value is missing, or a caution,
        e.g. how many respondents listwise deletion dropped).

    Raises
    ------
    DataError
        Bad arguments, an item listed twice in a construct; for a single scale also fewer than 2 items, fewer
        than 3 respondents, constant, empty or non-numeric items.  With
        several constructs a construct that cannot be analysed gets a row of NaN with the reason in ``note``
        and a :class:`~resilience_stats.errors.ResilienceStatsWarning`.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> t = rng.normal(size=(200, 1))
    >>> df = pd.DataFrame(t + rng.normal(size=(200, 4)), columns=list("abcd"))
    >>> rel = reliability(df)
    >>> rel[["construct", "n_items", "n_obs"]].to_dict("records")
    [{'construct': 'scale', 'n_items': 4, 'n_obs': 200}]
    >>> bool(rel.loc[0, "alpha_ci_lower"] < rel.loc[0, "alpha"] < rel.loc[0, "alpha_ci_upper"])
    True
    """
    if ci not in ("feldt", "bootstrap"):
        raise DataError(f"ci must be 'feldt' or 'bootstrap', got {ci!r}")
    if missing not in ("pairwise", "listwise"):
        raise DataError(f"missing must be 'pairwise' or 'listwise', got {missing!r}")
    if ci == "bootstrap" and int(n_boot) < 2:
        raise DataError(f"n_boot must be at least 2, got {n_boot!r}")
    if constructs is not None:
        for name, ids in constructs.items():
            twice = sorted({str(i) for i in ids if list(map(str, ids)).count(str(i)) > 1})
            if twice:
                raise DataError(f"construct {name!r}: item(s) listed more than once: {', '.join(twice)}; a repeated "
                                "item inflates alpha")
    item_data = resolve_items(data, constructs, reverse)
    rows = []
    many = len(item_data.constructs) > 1
    for name, ids in item_data.constructs.items():
        items = item_data.items[ids]
        try:
            answering = int(items.notna().any(axis=1).sum())
            if answering < MIN_RESPONDENTS:
                raise DataError(f"construct {name!r}: {answering} respondent(s) answered it; reliability needs at "
                                f"least {MIN_RESPONDENTS}")
            check_items(items, f"construct {name!r}")
            rows.append(_one_construct(name, items, ci, int(n_boot), seed, ordinal, missing, omega_factors, level))
        except DataError as exc:
            if not many:
                raise
            warnings.warn(f"reliability: {exc}", ResilienceStatsWarning, stacklevel=2)
            rows.append({"construct": name, "n_items": len(ids), "n_obs": 0, "n_dropped": len(items),
                         "note": str(exc)})
    cols = ["construct", "n_items", "n_obs", "n_dropped", "alpha", "alpha_std", "alpha_ci_lower", "alpha_ci_upper", "avg_r",
            "omega_total"] + (["ordinal_alpha", "ordinal_omega"] if ordinal else []) + ["note"]
    out = pd.DataFrame(rows).reindex(columns=cols)
    for nt in out["note"]:
        if nt and "not computed" in nt:
            warnings.warn(f"reliability: {nt}", ResilienceStatsWarning, stacklevel=2)
            break
    out["n_items"] = out["n_items"].astype(int)
    out["n_obs"] = out["n_obs"].fillna(0).astype(int)
    out["n_dropped"] = out["n_dropped"].fillna(0).astype(int)
    out["note"] = out["note"].fillna("")
    for c in cols[4:-1]:
        out[c] = out[c].astype(float)
    return out
