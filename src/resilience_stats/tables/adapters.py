"""Results objects -> the plain frames the standard tables take, and ``.to_table()`` of every result.

This is the presentation side of the statistics results: the statistics modules never import it at import
time; their ``to_table`` methods import :func:`from_result` inside the method. The report
(:mod:`resilience_stats.report`) builds its tables from the same frame adapters.

Frame adapters (plain DataFrames / Series / dicts, no formatting):
:func:`fit_row`, :func:`fit_frame`, :func:`loadings_frame`, :func:`validity_frame`, :func:`merge_reliability`,
:func:`sqrt_ave`, :func:`latent_correlations`, :func:`indirect_frame`, :func:`invariance_frame`.

Examples
--------
>>> import resilience_stats as rs                                        # doctest: +SKIP
>>> fit = rs.sem(rs.models.get("chen_zhang").syntax, wave)               # doctest: +SKIP
>>> fit.to_table("paths", lang="zh", style="three-line").to_docx("paths.docx")  # doctest: +SKIP
>>> rs.tables.from_result(rs.validity(fit), "htmt")                      # doctest: +SKIP
"""

from __future__ import annotations

import inspect
from typing import Any, Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from .i18n import INVARIANCE_LEVELS as _INVARIANCE_TERMS
from .indices import ADAPTERS as INDEX_ADAPTERS
from .psychometric_results import ADAPTERS as PSYCHOMETRIC_ADAPTERS, split_half_table
from .multilevel import ADAPTERS as MULTILEVEL_ADAPTERS
from .pubtable import PubTable
from .qca import ADAPTERS as QCA_ADAPTERS
from .regression import ADAPTERS as REGRESSION_ADAPTERS
from .standard import (
    correlation_table,
    efa_table,
    fit_table,
    htmt_table,
    indirect_table,
    invariance_table,
    loadings_table,
    paths_table,
    reliability_table,
)

__all__ = [
    "INVARIANCE_LEVELS",
    "effect_labels",
    "fit_frame",
    "fit_row",
    "scaling_of",
    "test_description",
    "from_result",
    "indirect_frame",
    "invariance_frame",
    "latent_correlations",
    "loadings_frame",
    "merge_reliability",
    "sqrt_ave",
    "validity_frame",
]

#: Names of the invariance levels in the tables' languages (the one set of terms, see tables.i18n).
INVARIANCE_LEVELS: Mapping[str, Mapping[str, str]] = _INVARIANCE_TERMS


# -- frame adapters ----------------------------------------------------------------------------------------------
#: How the chi-square test of a fit is computed, by lavaan's test name (stated with every fit output).
_TEST_WORDS = {
    "standard": {"en": "not scaled", "zh": "未校正"},
    "none": {"en": "no test", "zh": "未检验"},
    "yuan.bentler.mplus": {"en": "scaled (Yuan-Bentler)", "zh": "稳健校正（Yuan-Bentler）"},
    "satorra.bentler": {"en": "scaled (Satorra-Bentler)", "zh": "稳健校正（Satorra-Bentler）"},
    "scaled.shifted": {"en": "scaled and shifted", "zh": "均值方差校正"},
    "mean.var.adjusted": {"en": "mean- and variance-adjusted", "zh": "均值方差调整"},
}


def scaling_of(estimator: str, lang: str = "en") -> str:
    """Whether (and how) the chi-square of ``estimator`` is scaled by default, in words.

    Examples
    --------
    >>> scaling_of("MLR"), scaling_of("ML", "zh")
    ('scaled (Yuan-Bentler, MLR)', '未校正（ML）')
    """
    from ..sem.options import ESTIMATORS

    spec = ESTIMATORS.get(str(estimator).upper())
    if spec is None:
        return str(estimator)
    return _test_words(spec.test, str(estimator).upper(), lang)


def _test_words(test: str, estimator: str, lang: str) -> str:
    words = _TEST_WORDS.get(test, {"en": test, "zh": test})[lang]
    if words.endswith("）"):
        return words[:-1] + f"，{estimator}）"
    if words.endswith(")"):
        return words[:-1] + f", {estimator})"
    return f"{words}（{estimator}）" if lang == "zh" else f"{words} ({estimator})"


def test_description(fit: Any, lang: str = "en") -> str:
    """The chi-square test of a fitted model in words: scaled (and how) or not, with the estimator."""
    opts = getattr(fit, "options", {})
    return _test_words(str(opts.get("test", "standard")), str(opts.get("estimator", "ML")), lang)


def fit_row(fit: Any, label: str) -> dict:
    """Fit indices of a fitted model as one row of a fit table: what the statistics layer says to report
    (:func:`resilience_stats.sem.fitmeasures.reported_fit`: the scaled chi-square and the robust or scaled
    CFI/TLI/RMSEA for robust estimators, WLSMV included).

    Parameters
    ----------
    fit : SEMResult
    label : str
        The ``model`` column's value.

    Returns
    -------
    dict
        model, chisq, df, pvalue, cfi, tli, rmsea, rmsea_ci_lower, rmsea_ci_upper, srmr.

    Examples
    --------
    >>> fit_row(rs.cfa(wave, estimator="MLR"), "CFA")["cfi"]  # doctest: +SKIP
    0.991
    """
    from ..sem.fitmeasures import reported_fit

    r = reported_fit(fit)
    return {"model": label, **{k: r[k] for k in ("chisq", "df", "pvalue", "cfi", "tli", "rmsea", "rmsea_ci_lower",
                                                "rmsea_ci_upper", "srmr")}}


def _labelled_fits(fits: Any) -> list[tuple[str, Any]]:
    if isinstance(fits, Mapping):
        return [(str(k), v) for k, v in fits.items()]
    out = []
    for i, f in enumerate(fits):
        out.append((str(f[0]), f[1]) if isinstance(f, tuple) else (f"Model {i + 1}", f))
    return out


def fit_frame(fits: Any, *, compare: bool = True) -> pd.DataFrame:
    """Fit indices of competing models, one row each, with chi-square differences against the previous model.

    Parameters
    ----------
    fits : mapping label -> SEMResult, or sequence of SEMResult / (label, SEMResult)
        In table order (e.g. the one-factor model, then the instrument's model).
    compare : bool, default True
        Add ``delta_chisq``, ``delta_df``, ``p_diff`` (scaled difference for MLR), ``delta_cfi`` against the
        previous row (missing on the first row). The test assumes the models are nested.

    Examples
    --------
    >>> fit_frame({"One factor": fit1, "Seven factors": fit7})[["model", "delta_df"]]  # doctest: +SKIP
    """
    from ..sem.compare import compare_fits  # the statistics layer computes the differences

    table = compare_fits(_labelled_fits(fits), differences=compare and len(_labelled_fits(fits)) > 1)
    keep = ["model", "chisq", "df", "pvalue", "cfi", "tli", "rmsea", "rmsea_ci_lower", "rmsea_ci_upper", "srmr"]
    if compare and len(table) > 1:
        keep += ["delta_chisq", "delta_df", "p_diff", "delta_cfi"]
    return table[keep]


def loadings_frame(fit: Any) -> pd.DataFrame:
    """The ``=~`` rows of a fit's estimates as construct, item, est, se, std_all, pvalue."""
    est = fit.estimates if hasattr(fit, "estimates") else fit
    loads = est[est["op"] == "=~"].rename(columns={"lhs": "construct", "rhs": "item"})
    return loads[[c for c in ("construct", "item", "est", "se", "std_all", "pvalue") if c in loads.columns]] \
        .reset_index(drop=True)


def validity_frame(validity: Any) -> pd.DataFrame | None:
    """``ValidityResult.reliability`` with ``factor`` renamed ``construct`` (None when there is none)."""
    rel = getattr(validity, "reliability", validity)
    if not isinstance(rel, pd.DataFrame):
        return None
    if "factor" in rel.columns and "construct" not in rel.columns:
        rel = rel.rename(columns={"factor": "construct"})
    return rel


def merge_reliability(reliability: pd.DataFrame | None, validity: Any = None, *,
                      columns: Sequence[str] = ("construct", "n_items", "alpha", "omega_total"),
                      how: str = "left") -> pd.DataFrame | None:
    """``rs.reliability()`` columns merged with CR and AVE from ``rs.validity()`` (either may be None)."""
    vf = validity_frame(validity) if validity is not None else None
    vcols = [c for c in ("construct", "cr", "ave") if vf is not None and c in vf.columns]
    if reliability is None:
        return vf[vcols] if vf is not None else None
    df = reliability[[c for c in columns if c in reliability.columns]]
    if vf is not None:
        df = df.merge(vf[vcols], on="construct", how=how)
    return df


def sqrt_ave(validity: Any) -> pd.Series | None:
    """Square roots of the AVE by construct (for the diagonal of a correlation table)."""
    vf = validity_frame(validity)
    if vf is None or "ave" not in vf.columns:
        return None
    return pd.Series(np.sqrt(vf["ave"].to_numpy(dtype=float)), index=vf["construct"].to_numpy())


def latent_correlations(validity: Any) -> pd.DataFrame:
    """The model-implied factor correlations of ``validity.fornell_larcker`` as a full symmetric matrix
    (1 on the diagonal)."""
    fl = validity.fornell_larcker.astype(float)
    m = fl.to_numpy().copy()
    low = np.tril(np.nan_to_num(m), -1)
    full = low + low.T + np.eye(len(m))
    return pd.DataFrame(full, index=fl.index, columns=fl.columns)


_EFFECT_WORDS = {
    "indirect": {"en": "Indirect effect: {path}", "zh": "间接效应：{path}"},
    "direct": {"en": "Direct effect: {path}", "zh": "直接效应：{path}"},
    "total_indirect": {"en": "Total indirect effect: {path}", "zh": "总间接效应：{path}"},
    "total": {"en": "Total effect: {path}", "zh": "总效应：{path}"},
}


def effect_labels(estimates: pd.DataFrame, name: Callable[[str], str] | None = None,
                  lang: str = "en") -> dict[str, str]:
    """Readable names of the defined effects, derived from the model's path labels.

    A product of labelled regressions that form a chain (``ind_net := a1*b1`` with ``NET ~ a1*PBL`` and
    ``RES ~ b1*NET``) is an indirect effect "PBL → NET → RES"; a single labelled regression a direct effect;
    a sum of indirect effects from one X to one Y the total indirect effect, and with the direct path the
    total effect. Other definitions keep their name. ``name`` turns a variable into its display name (e.g.
    the instrument's construct name in ``lang``).

    Returns
    -------
    dict
        ``{defined parameter: label}``.

    Examples
    --------
    >>> est = pd.DataFrame({"lhs": ["NET", "RES", "RES", "ind", "tot"], "op": ["~", "~", "~", ":=", ":="],
    ...                     "rhs": ["PBL", "NET", "PBL", "a*b", "c + ind"], "label": ["a", "b", "c", "", ""]})
    >>> effect_labels(est)["ind"], effect_labels(est, lang="zh")["tot"]
    ('Indirect effect: PBL → NET → RES', '总效应：PBL → RES')
    """
    import re

    show = name or str
    label_col = estimates["label"].fillna("").astype(str) if "label" in estimates.columns else None
    paths: dict[str, tuple[str, str]] = {}
    if label_col is not None:
        for lhs, op, rhs, lab in zip(estimates["lhs"], estimates["op"], estimates["rhs"], label_col):
            if op == "~" and lab:
                paths[lab] = (str(rhs), str(lhs))  # predictor -> outcome
    chains: dict[str, tuple[str, ...]] = {}
    kinds: dict[str, str] = {}
    out: dict[str, str] = {}
    defined = estimates[estimates["op"] == ":="]
    for lhs, rhs in zip(defined["lhs"].astype(str), defined["rhs"].astype(str)):
        terms = [t.strip() for t in re.split(r"(?<![eE*/^(])\+", rhs.replace(" ", "")) if t.strip()]
        parts = []
        for term in terms:
            factors = [f for f in term.split("*") if f and not re.fullmatch(r"[-+]?\d+(\.\d*)?", f)]
            parts.append(factors)
        if len(parts) == 1:
            chain = _chain(parts[0], paths)
            if chain is not None:
                chains[lhs], kinds[lhs] = chain, "direct" if len(chain) == 2 else "indirect"
        else:
            members = []
            for factors in parts:
                if len(factors) == 1 and factors[0] in chains:
                    members.append((kinds[factors[0]], chains[factors[0]]))
                else:
                    chain = _chain(factors, paths)
                    members.append((("direct" if chain and len(chain) == 2 else "indirect"), chain))
            ends = {(c[0], c[-1]) for _k, c in members if c}
            if all(c for _k, c in members) and len(ends) == 1:
                x, y = next(iter(ends))
                kinds[lhs] = "total" if any(k == "direct" for k, _c in members) else "total_indirect"
                chains[lhs] = (x, y)
        if lhs in chains:
            path = " → ".join(show(v) for v in chains[lhs])
            out[lhs] = _EFFECT_WORDS[kinds[lhs]][lang].format(path=path)
        else:
            out[lhs] = lhs
    return out


def _chain(factors: Sequence[str], paths: Mapping[str, tuple[str, str]]) -> tuple[str, ...] | None:
    """The variables X → M ... → Y a product of path labels runs through, or None when they do not chain."""
    if not factors or any(f not in paths for f in factors):
        return None
    edges = [paths[f] for f in factors]
    outcomes = {b for _a, b in edges}
    starts = [a for a, _b in edges if a not in outcomes]
    if len(starts) != 1:
        return None
    chain, left = [starts[0]], list(edges)
    while left:
        step = next((e for e in left if e[0] == chain[-1]), None)
        if step is None:
            return None
        chain.append(step[1])
        left.remove(step)
    return tuple(chain)


def indirect_frame(estimates: pd.DataFrame, labels: Mapping[str, str] | None = None) -> pd.DataFrame:
    """The defined (``:=``) rows of an estimates frame with ``effect`` = "label = expression" (or
    ``labels[label]`` when given, e.g. ``{"ind_net": "PBL → NET → RES"}``)."""
    defined = estimates[estimates["op"] == ":="]
    eff = defined.assign(effect=defined["lhs"] + " = " + defined["rhs"])
    if labels:
        eff["effect"] = [labels.get(lhs, e) for lhs, e in zip(defined["lhs"], eff["effect"])]
    cols = [c for c in ("effect", "est", "se", "std_all", "pvalue", "ci_lower", "ci_upper") if c in eff.columns]
    return eff[cols].reset_index(drop=True)


def invariance_frame(inv: Any, lang: str = "en", level_names: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """An invariance table (``InvarianceResult`` or its ``.table``) in :func:`invariance_table`'s columns:
    ``level`` -> ``model`` (named in ``lang``), ``lrt_p`` -> ``p_diff``."""
    table = inv.table if hasattr(inv, "table") else inv
    names = {**INVARIANCE_LEVELS, **(level_names or {})}

    def name(v: Any) -> Any:
        entry = names.get(str(v))
        if isinstance(entry, Mapping):
            return entry.get(lang, v)
        return entry if entry is not None else v

    steps = table.rename(columns={"level": "model", "lrt_p": "p_diff"})
    steps["model"] = steps["model"].map(name)
    return steps


# -- result -> PubTable ------------------------------------------------------------------------------------------
def _call(fn: Callable[..., PubTable], *args: Any, **kwargs: Any) -> PubTable:
    """Call a standard table, dropping ``instrument`` (and None-valued common options) it does not take."""
    params = inspect.signature(fn).parameters
    if "instrument" not in params:
        kwargs.pop("instrument", None)
    for k in ("number", "title"):
        if kwargs.get(k) is None:
            kwargs.pop(k, None)
    return fn(*args, **kwargs)


def _kinds_error(what: str, kind: Any, kinds: Sequence[str]) -> ValueError:
    return ValueError(f"{what}.to_table: kind must be one of {', '.join(map(repr, kinds))}, not {kind!r}")


def _efa(result: Any, kind: Any, common: dict, options: dict) -> PubTable:
    if kind not in (None, "efa", "loadings"):
        raise _kinds_error("EFAResult", kind, ("loadings",))
    options.setdefault("communalities", result.communalities)
    return _call(efa_table, result.loadings, **common, **options)


def _has_regressions(est: pd.DataFrame) -> bool:
    return bool((est["op"] == "~").any())


def _sem(result: Any, kind: Any, common: dict, options: dict) -> PubTable:
    kinds = ("paths", "loadings", "fit", "indirect")
    est = result.estimates
    if kind is None:
        kind = "paths" if _has_regressions(est) else "loadings"
    if kind == "paths":
        r2 = options.pop("r2", result.r2 if isinstance(result.r2, pd.Series) else None)
        options.setdefault("ci_level", 0.95)
        return _call(paths_table, est, r2=r2, **common, **options)
    if kind == "loadings":
        rel = options.pop("reliability", None)
        validity = options.pop("validity", None)
        if rel is not None or validity is not None:
            rel = merge_reliability(rel, validity, columns=("construct", "alpha", "omega_total"), how="outer")
        return _call(loadings_table, loadings_frame(result), rel, **common, **options)
    if kind == "fit":
        label = options.pop("label", None) or {"en": "Model", "zh": "模型"}.get(common.get("lang", "en"), "Model")
        others = options.pop("compare", None)
        fits = [(label, result)] if others is None else [*_labelled_fits(others), (label, result)]
        return _call(fit_table, fit_frame(fits), **common, **options)
    if kind == "indirect":
        options.setdefault("ci_method", "delta")
        labels = options.pop("labels", None)
        return _call(indirect_table, indirect_frame(est, labels), **common, **options)
    raise _kinds_error("SEMResult", kind, kinds)


_BOOT_CI = {"percentile": "percentile", "bca": "bca", "bca_simple": "bca", "normal": "normal", "bc": "bc"}


def _bootstrap(result: Any, kind: Any, common: dict, options: dict) -> PubTable:
    est = result.estimates
    if kind is None:
        kind = "indirect" if (est["op"] == ":=").any() else "paths"
    if kind == "indirect":
        options.setdefault("ci_level", result.level)
        options.setdefault("ci_method", _BOOT_CI.get(result.ci, "percentile"))
        options.setdefault("n_boot", result.n)
        labels = options.pop("labels", None)
        return _call(indirect_table, indirect_frame(est, labels), **common, **options)
    if kind == "paths":
        fit = options.pop("fit", None)
        r2 = options.pop("r2", fit.r2 if fit is not None else None)
        options.setdefault("ci_level", result.level)
        return _call(paths_table, est, r2=r2, **common, **options)
    raise _kinds_error("BootstrapResult", kind, ("indirect", "paths"))


def _validity(result: Any, kind: Any, common: dict, options: dict) -> PubTable:
    kind = kind or "reliability"
    if kind == "reliability":
        fit = options.pop("fit", None)
        rel = options.pop("reliability", None)  # rs.reliability() frame: adds alpha (and omega)
        if fit is not None:
            merged = merge_reliability(rel, result, columns=("construct", "alpha"), how="outer")
            return _call(loadings_table, loadings_frame(fit), merged, **common, **options)
        if rel is not None:
            df = merge_reliability(rel, result, how="outer")
        else:
            vf = validity_frame(result)
            df = vf[[c for c in ("construct", "n_items", "omega", "cr", "ave") if c in vf.columns]]
        return _call(reliability_table, df, **common, **options)
    if kind == "htmt":
        return _call(htmt_table, result.htmt, **common, **options)
    if kind == "fornell_larcker":
        corr = latent_correlations(result)
        desc = options.pop("descriptives", None)
        if desc is None:
            desc = pd.DataFrame({"variable": list(corr.index)})
        if common.get("title") is None:
            common = {**common, "title": {"en": "Discriminant Validity: Factor Correlations and Square Roots of AVE",
                                          "zh": "区分效度：因子相关系数与 AVE 平方根"}}
        return _call(correlation_table, desc, corr, sqrt_ave=sqrt_ave(result), **common, **options)
    raise _kinds_error("ValidityResult", kind, ("reliability", "htmt", "fornell_larcker"))


def _invariance(result: Any, kind: Any, common: dict, options: dict) -> PubTable:
    if kind not in (None, "invariance", "fit"):
        raise _kinds_error("InvarianceResult", kind, ("invariance",))
    steps = invariance_frame(result, common.get("lang", "en"), options.pop("level_names", None))
    options.setdefault("decimals", 3)
    return _call(invariance_table, steps, **common, **options)


_POWER_TITLE = {"en": "Simulated Power by Sample Size", "zh": "不同样本量下的模拟统计功效"}


def _power(result: Any, kind: Any, common: dict, options: dict) -> PubTable:
    if kind not in (None, "power"):
        raise _kinds_error("PowerResult", kind, ("power",))
    t = result.table.copy()
    t["parameter"] = [lab if isinstance(lab, str) and lab else f"{lhs} {op} {rhs}"
                      for lhs, op, rhs, lab in zip(t["lhs"], t["op"], t["rhs"], t.get("label", [""] * len(t)))]
    params = options.pop("params", None)
    if params is not None:
        t = t[t["parameter"].isin(list(params))]
    t = t.sort_values(["parameter", "n"], kind="stable")
    cols = [c for c in ("n", "pop_value", "mean_est", "bias", "power", "coverage") if c in t.columns]
    common = dict(common)
    if common.get("title") is None:
        common["title"] = _POWER_TITLE
    common.pop("instrument", None)
    return PubTable.from_frame(
        t.reset_index(drop=True), columns=cols, row_groups="parameter",
        headers={"pop_value": {"en": "Population value", "zh": "总体值"},
                 "mean_est": {"en": "Mean estimate", "zh": "估计均值"},
                 "bias": {"en": "Bias", "zh": "偏差"}, "power": {"en": "Power", "zh": "统计功效"},
                 "coverage": {"en": "Coverage", "zh": "覆盖率"}},
        formats={"power": "bounded", "coverage": "bounded", "n": "integer"}, **common, **options)


_ITEMS_TITLE = {"en": "Item Analysis", "zh": "项目分析"}


def _frame(result: pd.DataFrame, kind: Any, common: dict, options: dict) -> PubTable:
    cols = set(result.columns)
    if kind is None:
        if {"item", "r_drop"} <= cols:
            kind = "items"
        elif {"construct", "lambda4", "beta"} <= cols:
            kind = "split_half"
        elif "construct" in cols and cols & {"alpha", "omega_total", "omega", "cr", "ave"}:
            kind = "reliability"
        else:
            raise ValueError("from_result: cannot tell which table this DataFrame is for (expected the columns of "
                             "rs.reliability() or rs.item_analysis()); pass kind=")
    if kind == "reliability":
        return _call(reliability_table, result, **common, **options)
    if kind == "split_half":
        return _call(split_half_table, result, **common, **options)
    if kind == "items":
        shown = [c for c in ("item", "construct", "mean", "sd", "skew", "kurtosis", "r_drop", "alpha_if_deleted")
                 if c in cols]
        common = dict(common)
        if common.get("title") is None:
            common["title"] = _ITEMS_TITLE
        return PubTable.from_frame(result.reset_index(drop=True), columns=shown,
                                   formats={"alpha_if_deleted": "bounded"}, **common, **options)
    raise ValueError(f"from_result: kind for a DataFrame must be 'reliability', 'items' or 'split_half', "
                     f"not {kind!r}")


def _dispatch(result: Any) -> Callable[..., PubTable] | None:
    name = type(result).__name__
    return {"EFAResult": _efa, "SEMResult": _sem, "BootstrapResult": _bootstrap, "ValidityResult": _validity,
            "InvarianceResult": _invariance, "PowerResult": _power, **PSYCHOMETRIC_ADAPTERS,
            **REGRESSION_ADAPTERS, **MULTILEVEL_ADAPTERS, **INDEX_ADAPTERS, **QCA_ADAPTERS}.get(name)


def from_result(result: Any, kind: str | None = None, *, lang: str = "en", style: str = "apa",
                number: int | None = None, title: Any = None, instrument: Any = None, **options: Any) -> PubTable:
    """The standard publication table of a results object.

    Parameters
    ----------
    result
        ``EFAResult`` (EFA loadings), ``SEMResult`` (kind "paths" — default with regressions —, "loadings"
        — default otherwise —, "fit", "indirect"), ``BootstrapResult`` ("indirect" with bootstrap CIs, the
        default when the model defines effects, or "paths"), ``ValidityResult`` ("reliability": CR and AVE, or
        loadings + CR + AVE with ``fit=``; "htmt"; "fornell_larcker": factor correlations with sqrt(AVE) on
        the diagonal), ``InvarianceResult`` (the invariance sequence), ``PowerResult`` (power by n),
        ``OmegaResult`` ("loadings", "omega"), ``MardiaResult``, ``CommonMethodResult`` ("fit", "harman",
        "method_variance", "marker"; see :mod:`.psychometric_results`), ``ProcessResult`` ("paths", "effects",
        "slopes"), ``HierarchicalResult``, ``OrderedLogitResult`` ("coefficients", "marginal", "brant"; see
        :mod:`.regression`), ``MultilevelResult`` (fixed effects, variance components, fit; :mod:`.multilevel`),
        a DataFrame from ``rs.reliability()``, ``rs.item_analysis()`` or ``rs.split_half()`` (recognised by its
        columns), or a mapping label -> ``SEMResult`` / list of fits (fit table of competing models with
        chi-square differences).
    kind : str, optional
        Which table (see above).
    lang, style, number, title, instrument
        As for the standard tables (``instrument`` is used by the tables that name constructs or items).
    **options
        Passed to the standard table (e.g. ``suppress=.4`` for EFA, ``decimals=3`` for fit tables), plus:
        SEMResult "loadings": ``reliability=`` (rs.reliability() frame), ``validity=``; "fit": ``label=``,
        ``compare=`` (fits listed before this one); "indirect" (also BootstrapResult): ``labels=`` (effect
        label -> name shown); BootstrapResult "paths": ``fit=`` (for R²) or ``r2=``;
        ValidityResult "reliability": ``fit=``, ``reliability=``; "fornell_larcker": ``descriptives=``;
        InvarianceResult: ``level_names=``; PowerResult: ``params=``.

    Returns
    -------
    PubTable

    Examples
    --------
    >>> from_result(rs.reliability(wave)).display()             # doctest: +SKIP
    >>> from_result({"One factor": f1, "Model": f7}, decimals=3)  # doctest: +SKIP
    """
    common = {"lang": lang, "style": style, "number": number, "title": title, "instrument": instrument}
    if isinstance(result, pd.DataFrame):
        return _frame(result, kind, common, dict(options))
    if isinstance(result, Mapping) or (isinstance(result, (list, tuple)) and result
                                       and all(type(r if not isinstance(r, tuple) else r[1]).__name__ == "SEMResult"
                                               for r in result)):
        if kind not in (None, "fit"):
            raise ValueError(f"from_result: several fits give a fit table, not {kind!r}")
        options = dict(options)
        compare = options.pop("compare", True)
        return _call(fit_table, fit_frame(result, compare=compare), **common, **options)
    fn = _dispatch(result)
    if fn is None:
        raise TypeError(f"from_result: no standard table for a {type(result).__name__}")
    return fn(result, kind, common, dict(options))
