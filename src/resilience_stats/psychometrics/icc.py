"""Clustering and within-group agreement: ICC(1), ICC(2), rwg(j) and the design effect.

For respondents nested in clusters (communities), per construct score (or per item):

* **One-way random-effects ANOVA** of the score on the cluster (R's ``aov(score ~ factor(cluster))``):
  ``MSB = SSB / (J - 1)``, ``MSW = SSW / (N - J)``, ``F = MSB / MSW`` with ``p = P(F(J-1, N-J) > F)``.
* **ICC(1)** (Bliese 2000) ``= (MSB - MSW) / (MSB + (k - 1) MSW)``.  With unequal cluster sizes the value
  depends on the "group size" k.  ``multilevel::ICC1`` (2.7) takes the *mean* cluster size
  ``k = N / J`` (its code: ``GSIZE <- (df_within + df_between + 1) / (df_between + 1)``) and so does
  ``psych::statsBy`` (``npr``); this is the default (``group_size="mean"``) and matches both.
  ``group_size="k0"`` uses the adjusted size ``k0 = (N - sum n_j^2 / N) / (J - 1)`` of the unbiased ANOVA
  estimator (Searle; Snijders & Bosker); both coincide for equal cluster sizes.
* **ICC(2)** ``= (MSB - MSW) / MSB`` (reliability of the cluster means; ``multilevel::ICC2``).
* **rwg(j)** (James, Demaree & Wolf 1984) per cluster with at least 2 members, as ``multilevel::rwg.j``:
  ``s2 = mean of the item variances (n - 1 denominators) within the cluster``, capped at the uniform-null
  variance ``sigma2_EU = (A^2 - 1) / 12`` for A response options (so the index lies in [0, 1]);
  ``rwg(j) = J (1 - s2/sigma2_EU) / (J (1 - s2/sigma2_EU) + s2/sigma2_EU)`` for J items (J = 1, single
  items: ``rwg = 1 - s2/sigma2_EU`` as ``multilevel::rwg``).  Clusters of size 1 give NaN and are left out of
  the mean and the median.
* **Design effect** ``1 + (kbar - 1) ICC(1)`` with the mean cluster size ``kbar = N / J`` (Kish).

ICC(1) and ICC(2) are reported as computed, negative when MSB < MSW (as R does; read as 0), and the design
effect is then below 1.

Missing values: the construct score is the mean of the construct's items over the rows complete on those
items (and on the cluster id) -- the rows ``rwg.j`` keeps after ``na.exclude``; ``by="item"`` uses each
item's own complete rows.  Golden values: tests/golden/icc_multilevel.R (multilevel 2.7, psych 2.2.9).
"""

from __future__ import annotations

import warnings
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy.stats import f as f_dist

from ..errors import DataError, ResilienceStatsWarning
from ._common import resolve_items

__all__ = ["icc", "anova_icc", "rwg_j", "ICC1_THRESHOLD", "ICC2_THRESHOLD", "RWG_THRESHOLD"]

ICC1_THRESHOLD = 0.05    # ICC(1) above: non-negligible clustering
ICC2_THRESHOLD = 0.70    # ICC(2) at or above: reliable cluster means
RWG_THRESHOLD = 0.70     # median rwg(j) at or above: within-cluster agreement
MIN_CLUSTERS = 20        # fewer clusters: warning about cluster-level inference

COLUMNS = ["construct", "n_obs", "n_clusters", "mean_cluster_size", "icc1", "icc2", "rwg_j_mean",
           "rwg_j_median", "design_effect", "f_stat", "df_between", "df_within", "p_value", "flag_icc1",
           "flag_icc2", "flag_rwg"]


# ----------------------------------------------------------------------------------- pure pieces ----
def anova_icc(score: np.ndarray, cluster: np.ndarray, group_size: str = "mean") -> dict[str, float]:
    """One-way ANOVA of ``score`` on ``cluster`` and the ICC(1), ICC(2) and design effect from it.

    Parameters
    ----------
    score : array (n,)
        Complete scores (no NaN).
    cluster : array (n,)
        Cluster labels.
    group_size : {"mean", "k0"}
        k in ICC(1): the mean cluster size N/J (``multilevel::ICC1``, ``psych::statsBy``) or the adjusted
        ``k0 = (N - sum n_j^2 / N) / (J - 1)``.

    Returns
    -------
    dict
        n_obs, n_clusters, mean_cluster_size, k0, msb, msw, icc1, icc2, design_effect, f_stat, df_between,
        df_within, p_value.

    Raises
    ------
    DataError
        Fewer than 2 clusters, only clusters of size 1, constant scores.

    Examples
    --------
    >>> r = anova_icc(np.array([1., 2., 3., 5., 6., 7.]), np.array(["a", "a", "a", "b", "b", "b"]))
    >>> r["msb"], r["msw"], round(r["icc1"], 4), round(r["icc2"], 4)
    (24.0, 1.0, 0.8846, 0.9583)
    """
    if group_size not in ("mean", "k0"):
        raise DataError(f"group_size must be 'mean' or 'k0', got {group_size!r}")
    score = np.asarray(score, dtype=float)
    labels, codes = np.unique(np.asarray(cluster), return_inverse=True)
    codes = codes.ravel()
    n, n_cl = score.size, labels.size
    if n_cl < 2:
        raise DataError(f"icc: at least 2 clusters are needed, got {n_cl}")
    if n - n_cl < 1:
        raise DataError("icc: every cluster has a single member -- no within-cluster variance (ICC undefined)")
    size = np.bincount(codes, minlength=n_cl).astype(float)
    means = np.bincount(codes, weights=score, minlength=n_cl) / size
    grand = score.mean()
    ssb = float((size * (means - grand) ** 2).sum())
    ssw = float(((score - means[codes]) ** 2).sum())
    if np.ptp(score) == 0:
        raise DataError("icc: the scores are constant (no variance)")
    df_b, df_w = n_cl - 1, n - n_cl
    msb, msw = ssb / df_b, ssw / df_w
    kbar = n / n_cl
    k0 = (n - (size ** 2).sum() / n) / (n_cl - 1)
    k = kbar if group_size == "mean" else k0
    icc1 = (msb - msw) / (msb + (k - 1.0) * msw)
    icc2 = (msb - msw) / msb if msb > 0 else np.nan
    f_stat = msb / msw if msw > 0 else np.inf
    p_value = float(f_dist.sf(f_stat, df_b, df_w)) if np.isfinite(f_stat) else 0.0
    return {"n_obs": int(n), "n_clusters": int(n_cl), "mean_cluster_size": kbar, "k0": float(k0),
            "msb": msb, "msw": msw, "icc1": float(icc1), "icc2": float(icc2),
            "design_effect": float(1.0 + (kbar - 1.0) * icc1), "f_stat": float(f_stat),
            "df_between": int(df_b), "df_within": int(df_w), "p_value": p_value}


def rwg_j(items: np.ndarray | pd.DataFrame, cluster: Sequence, n_options: float) -> pd.Series:
    """rwg(j) of every cluster (``multilevel::rwg.j``; one item: ``multilevel::rwg``).

    Parameters
    ----------
    items : array (n, J) or DataFrame
        Item responses; rows with any missing value are dropped first (``na.exclude``).
    cluster : sequence (n,)
        Cluster labels (rows with a missing label are dropped).
    n_options : number
        Number of response options A; the null variance is ``(A^2 - 1) / 12``.

    Returns
    -------
    pandas.Series
        rwg(j) indexed by the sorted cluster labels; NaN for clusters with one member.

    Examples
    --------
    >>> x = np.array([[1, 2], [2, 2], [3, 3], [5, 1], [1, 5]])
    >>> rwg_j(x, ["a", "a", "a", "b", "b"], n_options=5).round(4).tolist()
    [0.8, 0.0]
    """
    x = np.asarray(items, dtype=float)
    if x.ndim == 1:
        x = x[:, None]
    clus = pd.Series(np.asarray(cluster, dtype=object))
    ok = ~np.isnan(x).any(axis=1) & clus.notna().to_numpy()
    x, clus = x[ok], clus[ok]
    ranvar = (float(n_options) ** 2 - 1.0) / 12.0
    if not ranvar > 0:
        raise DataError(f"rwg(j): the number of response options must exceed 1, got {n_options}")
    n_items = x.shape[1]
    frame = pd.DataFrame(x)
    frame["_cluster"] = clus.to_numpy()
    grp = frame.groupby("_cluster", sort=True)
    var = grp.var(ddof=1)                                  # NaN for clusters of size 1
    s2 = np.minimum(var.mean(axis=1, skipna=False).to_numpy(), ranvar)
    ratio = s2 / ranvar
    out = n_items * (1.0 - ratio) / (n_items * (1.0 - ratio) + ratio)
    return pd.Series(out, index=var.index.rename("cluster"), name="rwg_j")


# ---------------------------------------------------------------------------------------- inputs ----
def _cluster_values(data: Any, frame: pd.DataFrame, cluster: Any) -> tuple[pd.Series, str]:
    if cluster is None:
        inst = getattr(data, "instrument", None)
        ids = list(inst.field_ids("cluster")) if inst is not None and hasattr(inst, "field_ids") else []
        if not ids:
            raise DataError("icc: no cluster column given and the data have no instrument cluster field; "
                            "pass cluster='column name'")
        cluster = ids[0]
    if isinstance(cluster, str):
        if cluster not in frame.columns:
            raise DataError(f"icc: cluster column {cluster!r} not found in the data")
        return frame[cluster], cluster
    values = pd.Series(np.asarray(cluster, dtype=object), index=frame.index)
    if values.size != frame.shape[0]:
        raise DataError(f"icc: cluster has {values.size} values for {frame.shape[0]} rows")
    return values, "cluster"


def _n_options(name: str, items: Sequence[str], bounds: Mapping[str, tuple[float, float]],
               x: np.ndarray, n_options: Any) -> tuple[float, str | None]:
    """Number of response options A for one construct/item, and a note when it had to be inferred."""
    if n_options is not None:
        if isinstance(n_options, Mapping):
            if name in n_options:
                return float(n_options[name]), None
            vals = {float(n_options[i]) for i in items if i in n_options}
            if len(vals) == 1:
                return vals.pop(), None
            if len(vals) > 1:
                raise DataError(f"icc: items of {name!r} have different numbers of response options {sorted(vals)}")
        else:
            return float(n_options), None
    known = {bounds[i][1] - bounds[i][0] + 1 for i in items if i in bounds}
    if len(known) > 1:
        raise DataError(f"icc: items of {name!r} have scales with different numbers of options {sorted(known)}; "
                        "pass n_options")
    if known and len(known) == 1 and all(i in bounds for i in items):
        return float(known.pop()), None
    obs = x[~np.isnan(x)]
    if obs.size == 0 or not np.allclose(obs, np.round(obs)):
        return np.nan, f"{name}: rwg(j) not computed (non-integer responses and no n_options)"
    a = float(np.round(obs.max()) - np.round(obs.min()) + 1)
    return a, f"{name}: number of response options inferred from the observed range (A = {a:g}); pass n_options"


def _flags(icc1: float, icc2: float, rwg_med: float) -> dict[str, Any]:
    def flag(value: float, ok: bool):
        return pd.NA if np.isnan(value) else bool(ok)
    return {"flag_icc1": flag(icc1, icc1 > ICC1_THRESHOLD),
            "flag_icc2": flag(icc2, icc2 >= ICC2_THRESHOLD),
            "flag_rwg": flag(rwg_med, rwg_med >= RWG_THRESHOLD)}


# ---------------------------------------------------------------------------------------- public ----
def icc(
    data: Any,
    cluster: Any = None,
    constructs: Mapping[str, Sequence[str]] | None = None,
    *,
    by: str = "construct",
    n_options: float | Mapping[str, float] | None = None,
    group_size: str = "mean",
    reverse: Sequence[str] | None = None,
) -> pd.DataFrame:
    """ICC(1), ICC(2), rwg(j) and design effect of construct scores (or items) in clustered samples.

    Parameters
    ----------
    data : SurveyWave or pandas.DataFrame
        A wave (``.data``, ``.instrument`` with ``construct_items``, ``field_ids("cluster")`` and
        ``scale_of(item).min/.max``) or a DataFrame holding the items and the cluster column.
    cluster : str or array-like, optional
        Cluster column (default: the instrument's first cluster field, e.g. ``"community"``) or the
        labels themselves (one per row).
    constructs : mapping, optional
        ``{construct: [items]}``; default the instrument's constructs, or for a DataFrame every column except
        the cluster column as one construct ``"scale"``.
    by : {"construct", "item"}
        One row per construct (score = mean of its items) or per item (then an ``item`` column follows
        ``construct``, and rwg is the single-item index).
    n_options : number or mapping, optional
        Number of response options A for rwg(j), globally or per construct/item name; default from the
        instrument's scales (``max - min + 1``), else the observed range of integer responses (with a
        warning).  Non-integer responses without ``n_options`` give NaN rwg.
    group_size : {"mean", "k0"}, default "mean"
        k of ICC(1) (see the module docstring): ``"mean"`` = N/J reproduces ``multilevel::ICC1`` and
        ``psych::statsBy``; ``"k0"`` the adjusted size for unequal clusters.
    reverse : sequence of str, optional
        Reverse-keyed items to recode first (only construct means change).

    Returns
    -------
    pandas.DataFrame
        Columns construct, [item,] n_obs, n_clusters, mean_cluster_size, icc1, icc2, rwg_j_mean,
        rwg_j_median, design_effect, f_stat, df_between, df_within, p_value, flag_icc1 (ICC(1) > .05:
        non-negligible clustering), flag_icc2 (ICC(2) >= .70: reliable cluster means), flag_rwg (median
        rwg(j) >= .70: agreement); flags are booleans (NA when the statistic is NaN).  ``attrs`` holds the
        conventions (group_size, thresholds, n_options used).

    Raises
    ------
    DataError
        Cluster column missing, fewer than 2 clusters, only clusters of size 1, constant scores, unknown
        items.

    Warns
    -----
    ResilienceStatsWarning
        Fewer than 20 clusters (cluster-level inference with few clusters is unreliable); A inferred.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> cl = np.repeat(np.arange(30), 10)
    >>> u = rng.normal(0, .5, 30)[cl]
    >>> df = pd.DataFrame({f"q{i}": np.clip(np.round(3 + u + rng.normal(0, .8, 300)), 1, 5) for i in (1, 2, 3)})
    >>> df["community"] = cl
    >>> out = icc(df, cluster="community", n_options=5)
    >>> out[["construct", "n_clusters", "mean_cluster_size"]].to_dict("records")
    [{'construct': 'scale', 'n_clusters': 30, 'mean_cluster_size': 10.0}]
    >>> bool(out.loc[0, "icc1"] > .05), bool(out.loc[0, "flag_icc1"])
    (True, True)
    """
    if by not in ("construct", "item"):
        raise DataError(f"icc: by must be 'construct' or 'item', got {by!r}")
    if group_size not in ("mean", "k0"):
        raise DataError(f"icc: group_size must be 'mean' or 'k0', got {group_size!r}")
    is_wave = hasattr(data, "instrument") and hasattr(data, "data")
    frame = data.data if is_wave else data
    if not isinstance(frame, pd.DataFrame):
        raise DataError(f"icc: expected a SurveyWave or a pandas DataFrame, got {type(data).__name__}")
    clus, clus_name = _cluster_values(data, frame, cluster)
    if constructs is None and not is_wave:
        constructs = {"scale": [str(c) for c in frame.columns if str(c) != clus_name]}
    item_data = resolve_items(data, constructs, reverse)
    items, bounds = item_data.items, item_data.bounds
    if clus_name in items.columns and isinstance(cluster, str):
        raise DataError(f"icc: the cluster column {cluster!r} is also listed as an item")
    clus_ok = clus.notna().to_numpy()
    labels = clus.to_numpy(dtype=object)

    units: list[tuple[str, str | None, list[str]]] = []
    for name, its in item_data.constructs.items():
        if by == "construct":
            units.append((name, None, its))
        else:
            units.extend((name, it, [it]) for it in its)

    rows, notes, used_a = [], [], {}
    for construct, item, its in units:
        key = item if item is not None else construct
        x = items[its].to_numpy(dtype=float)
        keep = clus_ok & ~np.isnan(x).any(axis=1)
        if not keep.any():
            raise DataError(f"icc: {key}: no complete rows with a cluster id")
        score = x[keep].mean(axis=1)
        try:
            stats = anova_icc(score, labels[keep], group_size)
        except DataError as exc:
            raise DataError(f"icc: {key}: {str(exc).removeprefix('icc: ')}") from None
        a, note = _n_options(key, its, bounds, x[keep], n_options)
        if note:
            notes.append(note)
        used_a[key] = a
        if np.isnan(a):
            rwg_mean = rwg_med = np.nan
        else:
            r = rwg_j(x[keep], labels[keep], a).to_numpy()
            r = r[~np.isnan(r)]
            rwg_mean = float(r.mean()) if r.size else np.nan
            rwg_med = float(np.median(r)) if r.size else np.nan
        row = {"construct": construct}
        if by == "item":
            row["item"] = item
        row.update({k: stats[k] for k in ("n_obs", "n_clusters", "mean_cluster_size")})
        row.update({"icc1": stats["icc1"], "icc2": stats["icc2"], "rwg_j_mean": rwg_mean, "rwg_j_median": rwg_med,
                    "design_effect": stats["design_effect"], "f_stat": stats["f_stat"],
                    "df_between": stats["df_between"], "df_within": stats["df_within"],
                    "p_value": stats["p_value"]})
        row.update(_flags(stats["icc1"], stats["icc2"], rwg_med))
        rows.append(row)

    cols = COLUMNS if by == "construct" else COLUMNS[:1] + ["item"] + COLUMNS[1:]
    out = pd.DataFrame(rows, columns=cols)
    for c in ("flag_icc1", "flag_icc2", "flag_rwg"):
        out[c] = out[c].astype("boolean")
    n_cl = int(out["n_clusters"].min())
    if n_cl < MIN_CLUSTERS:
        notes.insert(0, f"only {n_cl} clusters: cluster-level inference with few clusters is unreliable "
                        f"(fewer than {MIN_CLUSTERS})")
    for msg in dict.fromkeys(notes):
        warnings.warn(f"icc: {msg}", ResilienceStatsWarning, stacklevel=2)
    out.attrs.update({"cluster": clus_name, "by": by, "group_size": group_size, "n_options": used_a,
                      "thresholds": {"icc1": ICC1_THRESHOLD, "icc2": ICC2_THRESHOLD, "rwg": RWG_THRESHOLD}})
    return out
