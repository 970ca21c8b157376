"""Standard tables of a survey paper, built from plain DataFrames with documented columns.

Each function only selects, orders and labels what it is given (it computes no statistic) and returns a
:class:`~resilience_stats.tables.PubTable`. They will later be wired to the results objects (``.to_table()``).
Common keyword arguments: ``number``, ``title`` (default: a localized standard title), ``lang``, ``style``,
``instrument`` (construct and item names in ``lang``), ``na``.

Column names follow the package's results frames (lavaan-like: ``lhs op rhs est se z pvalue ci_lower
ci_upper std_all``; lavaan's dotted names ``ci.lower``/``ci.upper``/``rmsea.ci.lower`` are accepted too).
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from .format import EM_DASH, ColumnFormat, format_number
from .pubtable import ColumnSpec, PubTable, Spanner
from .richtext import italic

__all__ = [
    "correlation_table",
    "efa_table",
    "fit_table",
    "htmt_table",
    "indirect_table",
    "invariance_table",
    "loadings_table",
    "paths_table",
    "reliability_table",
    "sample_table",
]

_ALIASES: Mapping[str, tuple[str, ...]] = {
    "ci_lower": ("ci_lower", "ci.lower"),
    "ci_upper": ("ci_upper", "ci.upper"),
    "rmsea_ci_lower": ("rmsea_ci_lower", "rmsea.ci.lower"),
    "rmsea_ci_upper": ("rmsea_ci_upper", "rmsea.ci.upper"),
    "pvalue": ("pvalue", "p", "p_value"),
    "omega_total": ("omega_total", "omega"),
}


def _canonical(df: pd.DataFrame) -> pd.DataFrame:
    """Rename known aliases (``ci.lower`` -> ``ci_lower``...) to the canonical names used here."""
    renames: dict[str, str] = {}
    for canon, names in _ALIASES.items():
        if canon in df.columns:
            continue
        for n in names:
            if n in df.columns and n not in renames:
                renames[n] = canon
                break
    return df.rename(columns=renames) if renames else df


def _require(df: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"{what}: expected a pandas DataFrame, not {type(df).__name__}")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"{what}: missing column(s) {missing}; got {[str(c) for c in df.columns]}")


def _present(df: pd.DataFrame, order: Sequence[str]) -> list[str]:
    return [c for c in order if c in df.columns]


def _first_appearance_order(values: pd.Series) -> np.ndarray:
    codes = {v: i for i, v in enumerate(pd.unique(values))}
    return np.argsort(np.array([codes[v] for v in values]), kind="stable")


def _common(kwargs: dict[str, Any], title: Mapping[str, str]) -> dict[str, Any]:
    out = {k: v for k, v in kwargs.items() if v is not None}
    out.setdefault("title", dict(title))
    return out


def sample_table(
    df: pd.DataFrame, *, n_total: int | None = None, number: int | None = None, title: Any = None,
    lang: str = "en", style: str = "apa", na: str = "",
) -> PubTable:
    """Sample description: one group per variable, one row per category with *n* and %.

    Parameters
    ----------
    df : DataFrame
        Columns ``variable``, ``category``, ``n``, ``percent`` (0-100); rows of a variable contiguous or not
        (kept in order of first appearance).
    n_total : int, optional
        Printed as the general note "*N* = 500."

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"variable": ["Gender", "Gender"], "category": ["Female", "Male"],
    ...                    "n": [260, 240], "percent": [52.0, 48.0]})
    >>> t = sample_table(df, n_total=500)
    >>> t.display()["percent"].tolist()
    ['52.0', '48.0']
    """
    _require(df, ["variable", "category", "n", "percent"], "sample_table")
    rows = df.iloc[_first_appearance_order(df["variable"])]
    note = None
    if n_total is not None:
        note = {"en": [italic("N"), f" = {int(n_total)}."], "zh": [italic("N"), f" = {int(n_total)}。"]}
    return PubTable.from_frame(
        rows, columns=["category", "n", "percent"], row_groups="variable", note=note,
        **_common(dict(number=number, title=title, lang=lang, style=style, na=na),
                  {"en": "Sample Characteristics", "zh": "样本基本情况"}),
    )


def reliability_table(
    df: pd.DataFrame, *, instrument: Any = None, number: int | None = None, title: Any = None,
    lang: str = "en", style: str = "apa", na: str = "",
) -> PubTable:
    """Reliability and convergent validity per construct.

    Parameters
    ----------
    df : DataFrame
        Column ``construct`` (ids or names) and any of ``n_items``, ``alpha``, ``omega_total`` (or
        ``omega``), ``cr``, ``ave``, shown in that order.

    Examples
    --------
    >>> import pandas as pd
    >>> t = reliability_table(pd.DataFrame({"construct": ["NET"], "alpha": [0.931], "cr": [0.94], "ave": [0.61]}))
    >>> t.display().iloc[0].tolist()
    ['NET', '.93', '.94', '.61']
    """
    df = _canonical(df)
    _require(df, ["construct"], "reliability_table")
    cols = _present(df, ["construct", "n_items", "alpha", "omega_total", "cr", "ave"])
    if len(cols) < 2:
        raise ValueError("reliability_table: none of n_items, alpha, omega_total, cr, ave is present")
    return PubTable.from_frame(
        df, columns=cols, instrument=instrument,
        **_common(dict(number=number, title=title, lang=lang, style=style, na=na),
                  {"en": "Reliability and Convergent Validity", "zh": "信度与聚合效度"}),
    )


def loadings_table(
    loadings: pd.DataFrame, reliability: pd.DataFrame | None = None, *, item_text: bool = False,
    instrument: Any = None, number: int | None = None, title: Any = None, lang: str = "en",
    style: str = "apa", na: str = "",
) -> PubTable:
    """Standardized loadings by construct, with the construct's alpha, CR and AVE on its first row.

    Parameters
    ----------
    loadings : DataFrame
        Columns ``construct``, ``item``, ``std_all``; optional ``est``, ``se``, ``pvalue``. (From a CFA
        estimates frame: ``lhs`` -> construct, ``rhs`` -> item of the ``=~`` rows.)
    reliability : DataFrame, optional
        Columns ``construct`` and any of ``alpha``, ``omega_total``, ``cr``, ``ave``.
    item_text : bool, default False
        Show the item wording from ``instrument`` (in ``lang``) instead of the item id.

    Examples
    --------
    >>> import pandas as pd
    >>> ld = pd.DataFrame({"construct": ["NET", "NET"], "item": ["net1", "net2"], "std_all": [0.81, 0.77]})
    >>> rel = pd.DataFrame({"construct": ["NET"], "alpha": [0.9], "cr": [0.91], "ave": [0.62]})
    >>> loadings_table(ld, rel).display().values.tolist()
    [['NET', 'net1', '.81', '.90', '.91', '.62'], ['', 'net2', '.77', '', '', '']]
    """
    loadings = _canonical(loadings)
    if "construct" not in loadings.columns and {"lhs", "rhs"} <= set(loadings.columns):
        if "op" in loadings.columns:
            loadings = loadings[loadings["op"] == "=~"]
        loadings = loadings.rename(columns={"lhs": "construct", "rhs": "item"})
    _require(loadings, ["construct", "item", "std_all"], "loadings_table")
    rows = loadings.iloc[_first_appearance_order(loadings["construct"])].reset_index(drop=True)
    rel_cols: list[str] = []
    if reliability is not None:
        reliability = _canonical(reliability)
        _require(reliability, ["construct"], "loadings_table (reliability)")
        rel_cols = _present(reliability, ["alpha", "omega_total", "cr", "ave"])
        rows = rows.merge(reliability[["construct", *rel_cols]], on="construct", how="left", sort=False)
    repeat = rows["construct"].duplicated()
    rows["construct"] = rows["construct"].astype(object).where(~repeat, None)
    for c in rel_cols:
        rows[c] = rows[c].where(~repeat, np.nan)
    cols = ["construct", "item", *_present(rows, ["est", "se", "std_all", "pvalue"]), *rel_cols]
    return PubTable.from_frame(
        rows, columns=cols, instrument=instrument, item_columns=("item",) if item_text else (),
        **_common(dict(number=number, title=title, lang=lang, style=style, na=na),
                  {"en": "Standardized Factor Loadings, Reliability and Convergent Validity",
                   "zh": "标准化因子载荷、信度与聚合效度"}),
    )


def _lower_triangle(matrix: pd.DataFrame, order: Sequence[Any], diagonal: Any) -> dict[str, list[Any]]:
    """Columns "1".."k": the lower triangle of ``matrix`` (rows/cols in ``order``), ``diagonal`` on the diagonal
    (a list with one value per variable, or one value for all), upper triangle missing."""
    k = len(order)
    m = matrix.loc[list(order), list(order)]
    cols: dict[str, list[Any]] = {}
    for j in range(k):
        values: list[Any] = []
        for i in range(k):
            if i > j:
                values.append(m.iat[i, j])
            elif i == j:
                values.append(diagonal[i] if isinstance(diagonal, (list, tuple)) else diagonal)
            else:
                values.append(np.nan)
        cols[str(j + 1)] = values
    return cols


def correlation_table(
    descriptives: pd.DataFrame, corr: pd.DataFrame, *, pvalues: pd.DataFrame | None = None,
    sqrt_ave: Mapping[str, float] | pd.Series | None = None, instrument: Any = None,
    number: int | None = None, title: Any = None, lang: str = "en", style: str = "apa", na: str = "",
) -> PubTable:
    """Means, standard deviations and correlations (lower triangle), with sqrt(AVE) on the diagonal.

    Parameters
    ----------
    descriptives : DataFrame
        Column ``variable`` (ids or names, in table order), optional ``mean`` and ``sd``.
    corr : DataFrame
        Square correlation matrix whose index and columns contain the variables.
    pvalues : DataFrame, optional
        Same shape as ``corr``; adds significance stars and the probability note.
    sqrt_ave : mapping or Series, optional
        Square roots of AVE by variable for the diagonal (Fornell-Larcker), with a note saying so; without
        it the diagonal shows an em dash.

    Examples
    --------
    >>> import pandas as pd
    >>> desc = pd.DataFrame({"variable": ["NET", "TRU"], "mean": [3.9, 3.5], "sd": [0.7, 0.8]})
    >>> r = pd.DataFrame([[1, 0.45], [0.45, 1]], index=["NET", "TRU"], columns=["NET", "TRU"])
    >>> correlation_table(desc, r, sqrt_ave={"NET": 0.78, "TRU": 0.74}).display().values.tolist()
    [['1.', 'NET', '3.90', '0.70', '.78', ''], ['2.', 'TRU', '3.50', '0.80', '.45', '.74']]
    """
    _require(descriptives, ["variable"], "correlation_table")
    order = list(descriptives["variable"])
    missing = [v for v in order if v not in corr.index or v not in corr.columns]
    if missing:
        raise ValueError(f"correlation_table: variables {missing} are not in the correlation matrix")
    rows = descriptives.reset_index(drop=True).copy()
    rows.insert(0, "no", [f"{i + 1}." for i in range(len(order))])
    diag: Any = EM_DASH
    if sqrt_ave is not None:
        diag = [pd.Series(sqrt_ave).get(v, np.nan) for v in order]
    for key, values in _lower_triangle(corr, order, diag).items():
        rows[key] = pd.Series(values, dtype=object)
    keys = [str(j + 1) for j in range(len(order))]
    stars: dict[str, str] = {}
    if pvalues is not None:
        for key, values in _lower_triangle(pvalues, order, np.nan).items():
            rows[f"p_{key}"] = pd.Series(values, dtype=float)
            stars[key] = f"p_{key}"
    columns = [ColumnSpec("no"), ColumnSpec("variable", header={"en": "Variable", "zh": "变量"}),
               *[ColumnSpec(c) for c in _present(rows, ["mean", "sd"])],
               *[ColumnSpec(k, header=k, format=ColumnFormat("bounded"), stars=stars.get(k)) for k in keys]]
    note = None
    if sqrt_ave is not None:
        note = {"en": "Values on the diagonal are the square roots of the AVE.", "zh": "对角线上的数值为 AVE 的平方根。"}
    return PubTable.from_frame(
        rows, columns=columns, note=note, instrument=instrument, construct_columns=("variable",),
        **_common(dict(number=number, title=title, lang=lang, style=style, na=na),
                  {"en": "Means, Standard Deviations and Correlations", "zh": "均值、标准差与相关系数"}),
    )


def htmt_table(
    htmt: pd.DataFrame, *, threshold: float | None = 0.85, instrument: Any = None, number: int | None = None,
    title: Any = None, lang: str = "en", style: str = "apa", na: str = "",
) -> PubTable:
    """Heterotrait-monotrait ratios (lower triangle).

    Parameters
    ----------
    htmt : DataFrame
        Square matrix, index and columns the constructs in table order.
    threshold : float or None, default .85
        Named in the note ("values below .85 support discriminant validity"); ``None``: no note.

    Examples
    --------
    >>> import pandas as pd
    >>> h = pd.DataFrame([[1, 0.62], [0.62, 1]], index=["NET", "TRU"], columns=["NET", "TRU"])
    >>> htmt_table(h).display().values.tolist()
    [['1.', 'NET', '—', ''], ['2.', 'TRU', '0.62', '—']]
    """
    if not isinstance(htmt, pd.DataFrame) or list(htmt.index) != list(htmt.columns):
        raise ValueError("htmt_table: htmt must be a square DataFrame with the same index and columns")
    order = list(htmt.index)
    rows = pd.DataFrame({"no": [f"{i + 1}." for i in range(len(order))], "construct": order})
    for key, values in _lower_triangle(htmt, order, EM_DASH).items():
        rows[key] = pd.Series(values, dtype=object)
    columns = [ColumnSpec("no"), ColumnSpec("construct"),
               *[ColumnSpec(str(j + 1), header=str(j + 1), format=ColumnFormat("number")) for j in range(len(order))]]
    note = None
    if threshold is not None:
        t = format_number(threshold, 2, leading_zero=False)
        note = {"en": f"HTMT values below {t} support discriminant validity.",
                "zh": f"HTMT 值小于 {t} 表明区分效度良好。"}
    return PubTable.from_frame(
        rows, columns=columns, note=note, instrument=instrument,
        **_common(dict(number=number, title=title, lang=lang, style=style, na=na),
                  {"en": "Heterotrait-Monotrait Ratios (HTMT)", "zh": "异质-单质比率（HTMT）"}),
    )


def efa_table(
    loadings: pd.DataFrame, *, suppress: float = 0.30, communalities: Mapping[str, float] | pd.Series | None = None,
    item_text: bool = False, instrument: Any = None, number: int | None = None, title: Any = None,
    lang: str = "en", style: str = "apa", na: str = "",
) -> PubTable:
    """Exploratory factor loadings with small loadings left blank.

    Parameters
    ----------
    loadings : DataFrame
        Index: item ids; columns: factors (their names become the heads).
    suppress : float, default .30
        Loadings with absolute value below this are not shown (and the note says so); 0 shows all.
    communalities : mapping or Series, optional
        *h²* by item, shown in a last column.

    Examples
    --------
    >>> import pandas as pd
    >>> L = pd.DataFrame({"F1": [0.81, 0.12], "F2": [-0.05, 0.77]}, index=["net1", "tru1"])
    >>> efa_table(L).display().values.tolist()
    [['net1', '.81', ''], ['tru1', '', '.77']]
    """
    if not isinstance(loadings, pd.DataFrame) or loadings.empty:
        raise ValueError("efa_table: loadings must be a non-empty DataFrame (items x factors)")
    factors = [str(c) for c in loadings.columns]
    shown = loadings.astype(float).where(loadings.abs() >= suppress)
    rows = pd.DataFrame({"item": [str(i) for i in loadings.index]})
    for f, c in zip(factors, loadings.columns):
        rows[f] = shown[c].to_numpy()
    columns = [ColumnSpec("item")] + [ColumnSpec(f, header=f, format=ColumnFormat("bounded")) for f in factors]
    if communalities is not None:
        h2 = pd.Series(communalities)
        rows["h2"] = [h2.get(i, np.nan) for i in loadings.index]
        columns.append(ColumnSpec("h2", format=ColumnFormat("bounded")))
    note = None
    if suppress > 0:
        t = format_number(suppress, 2, leading_zero=False)
        note = {"en": f"Loadings with absolute values below {t} are not shown.",
                "zh": f"绝对值小于 {t} 的因子载荷未列出。"}
    return PubTable.from_frame(
        rows, columns=columns, note=note, instrument=instrument, item_columns=("item",) if item_text else (),
        **_common(dict(number=number, title=title, lang=lang, style=style, na=na),
                  {"en": "Exploratory Factor Analysis Loadings", "zh": "探索性因子分析载荷"}),
    )


def _fit_columns(df: pd.DataFrame, extra: Sequence[str], decimals: int | None) -> list[ColumnSpec]:
    def spec(c: str) -> ColumnSpec:
        if decimals is not None and c in ("cfi", "tli", "rmsea", "srmr"):
            kind = "number" if c == "tli" else "bounded"
            return ColumnSpec(c, format=ColumnFormat(kind, decimals))
        return ColumnSpec(c)

    cols = [spec(c) for c in _present(df, ["model", "chisq", "df", "chisq_df", "pvalue", "cfi", "tli", "rmsea"])]
    if {"rmsea_ci_lower", "rmsea_ci_upper"} <= set(df.columns):
        cols.append(ColumnSpec("rmsea_ci", format=ColumnFormat("ci", decimals=decimals, bounded=True),
                               source=("rmsea_ci_lower", "rmsea_ci_upper")))
    cols += [spec(c) for c in _present(df, ["srmr", *extra, "aic", "bic"])]
    return cols


def _fit(fits: pd.DataFrame, number: Any, title: Any, lang: str, style: str, na: str, decimals: int | None,
         extra: Sequence[str], default_title: Mapping[str, str]) -> PubTable:
    return PubTable.from_frame(
        fits, columns=_fit_columns(fits, extra, decimals),
        **_common(dict(number=number, title=title, lang=lang, style=style, na=na), default_title),
    )


def fit_table(
    fits: pd.DataFrame, *, decimals: int | None = None, number: int | None = None, title: Any = None,
    lang: str = "en", style: str = "apa", na: str = "",
) -> PubTable:
    """Fit of competing models, one row per model (titled "Model Fit Indices" when there is one model).

    Parameters
    ----------
    fits : DataFrame
        Column ``model`` and any of ``chisq``, ``df``, ``chisq_df``, ``pvalue``, ``cfi``, ``tli``, ``rmsea``,
        ``rmsea_ci_lower``/``rmsea_ci_upper`` (shown as "90% CI"), ``srmr``, ``aic``, ``bic``, and the
        chi-square difference against the previous model ``delta_chisq``, ``delta_df``, ``p_diff``, ``delta_cfi``
        when present.
    decimals : int, optional
        Decimals of CFI, TLI, RMSEA (and its CI) and SRMR (default 2; many journals want 3).

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"model": ["M1"], "chisq": [312.45], "df": [160], "cfi": [0.962], "tli": [0.955],
    ...                   "rmsea": [0.043], "rmsea_ci_lower": [0.036], "rmsea_ci_upper": [0.05], "srmr": [0.041]})
    >>> fit_table(f).display().iloc[0].tolist()
    ['M1', '312.45', '160', '.96', '0.95', '.04', '[.04, .05]', '.04']
    >>> fit_table(f, decimals=3).display().iloc[0].tolist()[3:]
    ['.962', '0.955', '.043', '[.036, .050]', '.041']
    """
    fits = _canonical(fits)
    _require(fits, ["model"], "fit_table")
    default = ({"en": "Fit Indices of the Competing Models", "zh": "竞争模型的拟合指数"} if len(fits) > 1
               else {"en": "Model Fit Indices", "zh": "模型拟合指数"})  # one model competes with nothing
    return _fit(fits, number, title, lang, style, na, decimals, ("delta_chisq", "delta_df", "p_diff", "delta_cfi"),
                default)


def invariance_table(
    steps: pd.DataFrame, *, decimals: int | None = None, number: int | None = None, title: Any = None,
    lang: str = "en", style: str = "apa", na: str = "",
) -> PubTable:
    """Measurement invariance sequence (configural, metric, scalar, ...), one row per model.

    Parameters
    ----------
    steps : DataFrame
        Column ``model`` plus fit columns as in :func:`fit_table`, and any of ``delta_chisq``, ``delta_df``,
        ``p_diff``, ``delta_cfi``, ``delta_rmsea``, ``delta_srmr`` (missing on the first row; the deltas have
        3 decimals).
    decimals : int, optional
        As in :func:`fit_table`.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame({"model": ["Configural", "Metric"], "cfi": [0.95, 0.948],
    ...                   "delta_cfi": [float("nan"), -0.002]})
    >>> invariance_table(s).display().values.tolist()
    [['Configural', '.95', ''], ['Metric', '.95', '-.002']]
    """
    steps = _canonical(steps)
    _require(steps, ["model"], "invariance_table")
    return _fit(steps, number, title, lang, style, na, decimals,
                ["delta_chisq", "delta_df", "p_diff", "delta_cfi", "delta_tli", "delta_rmsea", "delta_srmr"],
                {"en": "Measurement Invariance", "zh": "测量不变性检验"})


def paths_table(
    estimates: pd.DataFrame, *, r2: Mapping[str, float] | pd.Series | None = None, ci_level: float = 0.95,
    instrument: Any = None, number: int | None = None, title: Any = None, lang: str = "en", style: str = "apa",
    na: str = "",
) -> PubTable:
    """Structural paths grouped by outcome: *B*, *SE*, β (with stars), *p*, CI and the outcome's *R²*.

    Parameters
    ----------
    estimates : DataFrame
        lavaan-like parameter rows: ``lhs`` (outcome), ``rhs`` (predictor), ``est``; optional ``op`` (only
        ``~`` rows are kept), ``se``, ``std_all``, ``pvalue``, ``ci_lower``/``ci_upper``.
    r2 : mapping or Series, optional
        *R²* by outcome, shown on the outcome's first row.
    ci_level : float, default .95
        Level printed over the CI columns.

    Examples
    --------
    >>> import pandas as pd
    >>> est = pd.DataFrame({"lhs": ["RES", "RES"], "op": ["~", "~"], "rhs": ["PBL", "NET"],
    ...                     "est": [0.31, 0.42], "se": [0.05, 0.06], "std_all": [0.28, 0.40],
    ...                     "pvalue": [0.0001, 0.0002]})
    >>> t = paths_table(est, r2={"RES": 0.35})
    >>> [r.group for r in t.layout().body]
    ['RES', None, None]
    >>> t.display().iloc[0].tolist()
    ['PBL', '0.31', '0.05', '.28***', '< .001', '.35']
    """
    estimates = _canonical(estimates)
    _require(estimates, ["lhs", "rhs", "est"], "paths_table")
    rows = estimates
    if "op" in rows.columns:
        rows = rows[rows["op"] == "~"]
    rows = rows.iloc[_first_appearance_order(rows["lhs"])].reset_index(drop=True)
    rows = rows.rename(columns={"rhs": "predictor"})
    cols: list[Any] = ["predictor", *_present(rows, ["est", "se"])]
    stars: dict[str, str] = {}
    if "std_all" in rows.columns:
        cols.append("std_all")
        if "pvalue" in rows.columns:
            stars["std_all"] = "pvalue"
    cols += _present(rows, ["pvalue"])
    spanners = []
    if {"ci_lower", "ci_upper"} <= set(rows.columns):
        cols += ["ci_lower", "ci_upper"]
        spanners.append(Spanner(f"{format_number(ci_level * 100, 0)}% CI", "ci_lower", "ci_upper"))
    if r2 is not None:
        r2s = pd.Series(r2)
        first = ~rows["lhs"].duplicated()
        rows["r2"] = [r2s.get(v, np.nan) if f else np.nan for v, f in zip(rows["lhs"], first)]
        cols.append("r2")
    return PubTable.from_frame(
        rows, columns=cols, stars=stars, spanners=spanners, row_groups="lhs", instrument=instrument,
        construct_columns=("lhs", "predictor"),
        **_common(dict(number=number, title=title, lang=lang, style=style, na=na),
                  {"en": "Structural Path Coefficients", "zh": "结构路径系数"}),
    )


_CI_METHODS: Mapping[str, Mapping[str, str]] = {
    "percentile": {"en": "percentile bootstrap", "zh": "百分位 Bootstrap"},
    "bc": {"en": "bias-corrected bootstrap", "zh": "偏差校正 Bootstrap"},
    "bca": {"en": "bias-corrected and accelerated bootstrap", "zh": "偏差校正加速 Bootstrap"},
    "delta": {"en": "delta-method", "zh": "Delta 法"},
}


def indirect_table(
    effects: pd.DataFrame, *, ci_level: float = 0.95, ci_method: str = "percentile", n_boot: int | None = None,
    number: int | None = None, title: Any = None, lang: str = "en", style: str = "apa", na: str = "",
) -> PubTable:
    """Indirect (and total) effects with their confidence intervals.

    Parameters
    ----------
    effects : DataFrame
        Column ``effect`` (or ``label``, or ``lhs`` of ``:=`` rows when ``op`` is present), ``est``,
        ``ci_lower``, ``ci_upper``; optional ``se``, ``std_all``, ``pvalue``.
    ci_level : float, default .95
    ci_method : {"percentile", "bc", "bca", "delta"}
        Named in the note, with ``n_boot`` resamples if given.

    Examples
    --------
    >>> import pandas as pd
    >>> e = pd.DataFrame({"effect": ["PBL -> NET -> RES"], "est": [0.12], "se": [0.03],
    ...                   "ci_lower": [0.07], "ci_upper": [0.19]})
    >>> t = indirect_table(e, n_boot=5000)
    >>> t.display().iloc[0].tolist()
    ['PBL -> NET -> RES', '0.12', '0.03', '0.07', '0.19']
    >>> from resilience_stats.tables.richtext import plain_text
    >>> plain_text(t.note_paragraphs()[0])
    'Note. CI = 95% percentile bootstrap confidence interval (5,000 resamples).'
    """
    effects = _canonical(effects)
    if "op" in effects.columns:
        effects = effects[effects["op"] == ":="]
    if "effect" not in effects.columns:
        for alt in ("label", "lhs"):
            if alt in effects.columns:
                effects = effects.rename(columns={alt: "effect"})
                break
    _require(effects, ["effect", "est", "ci_lower", "ci_upper"], "indirect_table")
    if ci_method not in _CI_METHODS:
        raise ValueError(f"ci_method must be one of {tuple(_CI_METHODS)}, not {ci_method!r}")
    level = format_number(ci_level * 100, 0)
    cols = ["effect", *_present(effects, ["est", "se", "std_all", "pvalue"]), "ci_lower", "ci_upper"]
    m = _CI_METHODS[ci_method]
    boot_en = f" ({n_boot:,} resamples)" if n_boot else ""
    boot_zh = f"（重抽样 {n_boot} 次）" if n_boot else ""
    note = {"en": f"CI = {level}% {m['en']} confidence interval{boot_en}.",
            "zh": f"CI 为 {level}% {m['zh']} 置信区间{boot_zh}。"}
    return PubTable.from_frame(
        effects, columns=cols, headers={"effect": {"en": "Effect", "zh": "效应"}},
        spanners=[Spanner(f"{level}% CI", "ci_lower", "ci_upper")], note=note,
        **_common(dict(number=number, title=title, lang=lang, style=style, na=na),
                  {"en": "Indirect Effects", "zh": "间接效应检验"}),
    )
