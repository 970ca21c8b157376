"""Measurement invariance across groups: the configural -> metric -> scalar -> strict (-> means) sequence,
chi-square difference tests, score tests for cross-group equality constraints, partial invariance and latent
mean comparisons.

Conventions
-----------
* Levels are cumulative: each level adds its constraints to those of the levels listed before it
  (configural: none; metric: loadings; scalar: intercepts -- thresholds for ordered items; strict: residual
  variances; means: latent means; also lv_variances, lv_covariances, regressions, residual_covariances).
* Difference tests compare each level with the previous one: the plain chi-square difference with ML, the
  Satorra-Bentler (2001) scaled difference with MLR (lavaan's default ``lavTestLRT`` method for MLR).
* Fit measures: with ML the standard chi-square, CFI, TLI, RMSEA; with MLR the scaled chi-square and the robust
  CFI/TLI/RMSEA (Brosseau-Liard & Savalei). SRMR as lavaan (averaged over groups, weighted by N_g).
* Decision (default Chen, 2007): a level is *not invariant* when delta CFI <= -0.010 or delta RMSEA >= 0.015
  relative to the previous level; cutoffs are arguments (``cutoffs=``), optionally with an LRT alpha.
* Score tests (lavaan's ``lavTestScore``): for each equality constraint, N g' J g where g is the gradient of the
  unconstrained parameterization at the constrained estimates and J the [1:q, 1:q] block of the inverse of the
  expected information bordered by the remaining constraints. Releasing a parameter in all groups releases its
  G - 1 constraints together (df = G - 1; identical to the univariate test with two groups).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats as sps

from ..errors import DataError, ModelSpecificationError

__all__ = [
    "LEVELS",
    "DEFAULT_CUTOFFS",
    "level_group_equal",
    "resolve_cutoffs",
    "lrt_difference",
    "invariance",
    "partial_invariance",
    "latent_mean_differences",
    "equality_score_tests",
    "InvarianceResult",
    "PartialInvarianceResult",
    "simulate_groups",
]

LEVELS = ("configural", "metric", "scalar", "strict", "means")
_LEVEL_TYPES = {
    "configural": [],
    "metric": ["loadings"],
    "scalar": ["intercepts"],
    "strict": ["residuals"],
    "means": ["means"],
    "lv_variances": ["lv_variances"],
    "lv_covariances": ["lv_covariances"],
    "regressions": ["regressions"],
    "residual_covariances": ["residual_covariances"],
}
DEFAULT_CUTOFFS = {"delta_cfi": -0.010, "delta_rmsea": 0.015, "lrt_alpha": None, "rule": "Chen (2007)"}
_PRESETS = {
    "chen2007": DEFAULT_CUTOFFS,
    "cheung_rensvold2002": {"delta_cfi": -0.010, "delta_rmsea": None, "lrt_alpha": None,
                            "rule": "Cheung & Rensvold (2002)"},
    "lrt": {"delta_cfi": None, "delta_rmsea": None, "lrt_alpha": 0.05, "rule": "chi-square difference test"},
}
TABLE_COLUMNS = ["level", "chisq", "df", "pvalue", "cfi", "tli", "rmsea", "rmsea_ci_lower", "rmsea_ci_upper",
                 "srmr", "delta_chisq", "delta_df", "lrt_p", "delta_cfi", "delta_rmsea", "decision"]


# --------------------------------------------------------------------------------------------- helpers


def level_group_equal(levels, ordered: bool = False) -> dict[str, list[str]]:
    """Cumulative ``group_equal`` of each level.

    Examples
    --------
    >>> level_group_equal(["configural", "metric", "scalar"])
    {'configural': [], 'metric': ['loadings'], 'scalar': ['loadings', 'intercepts']}
    >>> level_group_equal(["metric", "scalar"], ordered=True)["scalar"]
    ['loadings', 'thresholds']
    """
    out: dict[str, list[str]] = {}
    acc: list[str] = []
    for lev in levels:
        key = str(lev).replace(".", "_")
        if key not in _LEVEL_TYPES:
            raise ModelSpecificationError(
                f"unknown invariance level {lev!r}; choose from {', '.join(_LEVEL_TYPES)}")
        for t in _LEVEL_TYPES[key]:
            t = "thresholds" if (ordered and t == "intercepts") else t
            if t not in acc:
                acc.append(t)
        out[key] = list(acc)
    return out


def resolve_cutoffs(cutoffs=None) -> dict:
    """Decision rule as a dict (``delta_cfi``, ``delta_rmsea``, ``lrt_alpha``, ``rule``).

    ``None`` or ``"chen2007"``: delta CFI <= -0.010 or delta RMSEA >= 0.015 means not invariant;
    ``"cheung_rensvold2002"``: delta CFI only; ``"lrt"``: chi-square difference p < 0.05; a dict overrides
    single entries of the default (a value ``None`` switches a criterion off).

    Examples
    --------
    >>> resolve_cutoffs({"delta_cfi": -0.005})["delta_rmsea"]
    0.015
    """
    if cutoffs is None:
        return dict(DEFAULT_CUTOFFS)
    if isinstance(cutoffs, str):
        key = cutoffs.lower().replace(" ", "").replace("&", "_")
        if key not in _PRESETS:
            raise ModelSpecificationError(f"unknown cutoffs preset {cutoffs!r}; choose from {', '.join(_PRESETS)}")
        return dict(_PRESETS[key])
    out = dict(DEFAULT_CUTOFFS)
    unknown = set(cutoffs) - set(out)
    if unknown:
        raise ModelSpecificationError(f"unknown cutoff key(s): {', '.join(sorted(unknown))}")
    out.update(cutoffs)
    if "rule" not in cutoffs:
        out["rule"] = "user cutoffs"
    return out


def _is_robust(fit) -> bool:
    """A continuous fit with a scaled test (MLR, MLM, ...): its scaled chi-square and robust indices are reported."""
    return fit._state.test.get("kind") not in (None, "standard", "none")


def _is_ordinal(fit) -> bool:
    return getattr(fit._state, "ordinal", None) is not None


def _measures(fit) -> dict:
    """The fit measures reported in the invariance table (robust versions with MLR)."""
    fi = fit.fit_indices
    if _is_ordinal(fit):
        # WLSMV/ULSMV: the scaled-shifted test and the *scaled* CFI/TLI/RMSEA (lavaan's robust catML indices
        # are not available once thresholds are constrained across groups, so the scaled ones are used for
        # every level, consistently)
        return dict(chisq=float(fi["chisq_scaled"]), df=float(fi["df"]), pvalue=float(fi["pvalue_scaled"]),
                    cfi=float(fi["cfi_scaled"]), tli=float(fi["tli_scaled"]), rmsea=float(fi["rmsea_scaled"]),
                    rmsea_ci_lower=float(fi["rmsea_ci_lower_scaled"]),
                    rmsea_ci_upper=float(fi["rmsea_ci_upper_scaled"]), srmr=float(fi["srmr"]))
    if _is_robust(fit):
        def pick(a, b):
            v = fi.get(a, np.nan)
            return float(v) if np.isfinite(v) else float(fi.get(b, np.nan))

        return dict(chisq=float(fi["chisq_scaled"]), df=float(fi["df"]), pvalue=float(fi["pvalue_scaled"]),
                    cfi=pick("cfi_robust", "cfi_scaled"), tli=pick("tli_robust", "tli_scaled"),
                    rmsea=pick("rmsea_robust", "rmsea_scaled"),
                    rmsea_ci_lower=pick("rmsea_ci_lower_robust", "rmsea_ci_lower_scaled"),
                    rmsea_ci_upper=pick("rmsea_ci_upper_robust", "rmsea_ci_upper_scaled"),
                    srmr=float(fi["srmr"]))
    return {k: float(fi[k]) for k in ("chisq", "df", "pvalue", "cfi", "tli", "rmsea", "rmsea_ci_lower",
                                      "rmsea_ci_upper", "srmr")}


def lrt_difference(fit0, fit1) -> dict:
    """Chi-square difference test of nested fits (``fit1`` more restricted than ``fit0``).

    ML: ``T1 - T0`` on ``df1 - df0``. MLR: Satorra-Bentler (2001) scaled difference
    ``(T1 - T0) / cd`` with ``cd = (df1 c1 - df0 c0) / (df1 - df0)`` from the standard statistics and the
    scaling factors, as lavaan's ``lavTestLRT`` (method ``"satorra.bentler.2001"``). Also returns the RMSEA of
    the difference (lavaan's ``RMSEA`` column: ``sqrt(max(0, (dT - ddf) / (N ddf))) * sqrt(G)``).

    Examples
    --------
    >>> import pandas as pd, numpy as np
    >>> from resilience_stats.sem import cfa
    >>> rng = np.random.default_rng(3); f = rng.normal(size=(400, 1))
    >>> df = pd.DataFrame(f @ np.ones((1, 4)) + rng.normal(size=(400, 4)), columns=list("abcd"))
    >>> df["g"] = np.repeat([1, 2], 200)
    >>> r = lrt_difference(cfa(df, "F =~ a + b + c + d", group="g"),
    ...                    cfa(df, "F =~ a + b + c + d", group="g", group_equal=["loadings"]))
    >>> int(r["delta_df"]), r["method"]
    (3, 'chi-square difference')
    """
    T0, T1 = float(fit0.fit_indices["chisq"]), float(fit1.fit_indices["chisq"])
    d0, d1 = float(fit0.df), float(fit1.df)
    if d1 < d0:
        fit0, fit1, T0, T1, d0, d1 = fit1, fit0, T1, T0, d1, d0
    ddf = d1 - d0
    out = {"delta_df": ddf, "method": "chi-square difference", "scaling": np.nan, "warning": ""}
    if ddf <= 0:
        out.update(delta_chisq=np.nan, pvalue=np.nan, rmsea=np.nan, warning="models have the same df")
        return out
    dT = T1 - T0
    k0, k1 = fit0._state.test.get("kind"), fit1._state.test.get("kind")
    if k0 != k1:
        raise ModelSpecificationError(f"difference test between fits with different test statistics ({k0} and "
                                      f"{k1}); fit both models with the same estimator")
    if k0 == "mean.var.adjusted" or (k0 == "scaled.shifted" and not hasattr(fit0._state.objective, "blocks_")):
        raise ModelSpecificationError(f"the scaled difference test for test={k0!r} with this estimator is not "
                                      "available; fit both models with MLM or MLR (Satorra-Bentler 2001 "
                                      "difference), or WLSMV/ULSMV for ordered indicators")
    if k0 == "scaled.shifted":
        from .scaling import satorra2000_difference

        r = satorra2000_difference(fit0, fit1)
        out["method"] = "Satorra (2000) scaled-shifted difference (lavaan's lavTestLRT default for WLSMV/ULSMV)"
        out["scaling"] = r["a"]
        stat = r["stat"]
    elif _is_ordinal(fit0) or _is_ordinal(fit1):
        raise ModelSpecificationError("difference test between an ordinal (WLSMV) and a continuous fit")
    elif k0 in ("yuan.bentler.mplus", "satorra.bentler"):
        c0 = float(fit0.fit_indices["scaling_factor"]) if d0 > 0 else 1.0
        c1 = float(fit1.fit_indices["scaling_factor"])
        cd = (d1 * c1 - d0 * c0) / ddf
        out["method"] = "Satorra-Bentler (2001) scaled difference"
        out["scaling"] = cd
        if cd <= 0:
            out["warning"] = "the scaling factor of the difference test is negative; the test is not available"
            stat = np.nan
        else:
            stat = dT / cd
    else:
        stat = dT
    out["delta_chisq"] = stat
    out["pvalue"] = float(sps.chi2.sf(stat, ddf)) if np.isfinite(stat) else np.nan
    N, G = fit1.n_obs, fit1.n_groups
    out["rmsea"] = float(np.sqrt(max(0.0, (stat - ddf) / (N * ddf))) * np.sqrt(G)) if np.isfinite(stat) else np.nan
    return out


def _decide(prev: dict, cur: dict, lrt: dict, cut: dict) -> tuple[bool, str]:
    """(holds, text) for one level against the previous one."""
    dcfi, drmsea = cur["cfi"] - prev["cfi"], cur["rmsea"] - prev["rmsea"]
    fails, parts = [], []
    if cut.get("delta_cfi") is not None:
        bad = dcfi <= cut["delta_cfi"]
        fails.append(bad)
        parts.append(f"delta CFI = {dcfi:+.3f} {'<=' if bad else '>'} {cut['delta_cfi']:+.3f}")
    if cut.get("delta_rmsea") is not None:
        bad = drmsea >= cut["delta_rmsea"]
        fails.append(bad)
        parts.append(f"delta RMSEA = {drmsea:+.3f} {'>=' if bad else '<'} {cut['delta_rmsea']:.3f}")
    if cut.get("lrt_alpha") is not None:
        p = lrt.get("pvalue", np.nan)
        bad = bool(np.isfinite(p) and p < cut["lrt_alpha"])
        fails.append(bad)
        parts.append(f"LRT p = {p:.3g} {'<' if bad else '>='} {cut['lrt_alpha']}")
    holds = not any(fails)
    word = "invariant" if holds else "not invariant"
    return holds, f"{word}: {', '.join(parts)} [{cut.get('rule', 'user cutoffs')}]"


# --------------------------------------------------------------------------------------------- results


@dataclass
class InvarianceResult:
    """Result of :func:`invariance`.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per level: level, chisq, df, pvalue, cfi, tli, rmsea, rmsea_ci_lower, rmsea_ci_upper, srmr,
        delta_chisq, delta_df, lrt_p, delta_cfi, delta_rmsea, decision (differences against the previous level;
        with MLR the chi-square is the scaled one, CFI/TLI/RMSEA the robust ones and delta_chisq the
        Satorra-Bentler 2001 scaled difference).
    fits : dict
        Level name -> fitted :class:`~resilience_stats.sem.SEMResult`.
    cutoffs : dict
        The decision rule used.
    group_equal : dict
        Level name -> the ``group_equal`` list fitted.
    """

    table: pd.DataFrame
    fits: dict
    cutoffs: dict
    group_equal: dict
    model: str = ""
    group: str = ""
    group_labels: list = field(default_factory=list)
    estimator: str = "ML"
    fit_kwargs: dict = field(default_factory=dict)

    @property
    def holds(self) -> dict:
        """Level -> whether it was judged invariant (the first level is the reference: True)."""
        return {lev: bool(d.startswith("invariant") or d.startswith("reference"))
                for lev, d in zip(self.table["level"], self.table["decision"])}

    def highest_level(self) -> str:
        """The last level of the uninterrupted run of invariant levels."""
        last = self.table["level"].iloc[0]
        for lev, ok in self.holds.items():
            if not ok:
                break
            last = lev
        return last

    def __repr__(self) -> str:
        with pd.option_context("display.width", 200, "display.max_columns", 30):
            t = self.table.drop(columns="decision").round(4).to_string(index=False)
        dec = "\n".join(f"  {lev}: {d}" for lev, d in zip(self.table["level"], self.table["decision"]))
        return (f"Measurement invariance across {self.group!r} ({len(self.group_labels)} groups, "
                f"{self.estimator}); rule: {self.cutoffs.get('rule')}\n{t}\n{dec}")

    def to_table(self, kind: str | None = None, *, lang: str = "en", style: str = "apa", number: int | None = None,
                 title=None, instrument=None, **options):
        """The invariance sequence (fit per level and the changes against the previous level) as a table.

        ``kind``, ``lang``, ``style``, ``number``, ``title``, ``instrument`` and ``**options`` as in
        :func:`resilience_stats.tables.from_result`; returns a :class:`~resilience_stats.tables.PubTable`.
        """
        from ..tables.adapters import from_result  # presentation is imported only when asked for

        return from_result(self, kind, lang=lang, style=style, number=number, title=title, instrument=instrument,
                           **options)


@dataclass
class PartialInvarianceResult:
    """Result of :func:`partial_invariance`.

    Attributes
    ----------
    level : str
    freed : list of str
        Parameters released (lavaan syntax, e.g. ``"x3 ~1"``) in the order they were freed.
    steps : pandas.DataFrame
        One row per freed parameter: step, freed, score_chisq, score_df, score_pvalue and the resulting fit
        (chisq, df, cfi, rmsea, srmr, delta_cfi, delta_rmsea vs the reference level, decision).
    fit : SEMResult
        The final (partially constrained) model.
    reference_fit : SEMResult
        The previous level's model the decisions compare with.
    initial_fit : SEMResult
        The fully constrained model of ``level``.
    holds : bool
    group_partial : list of str
        Everything passed as ``group_partial`` in the final fit.
    score_tests : pandas.DataFrame
        Score tests of the initial model (all candidate parameters).
    """

    level: str
    freed: list
    steps: pd.DataFrame
    fit: object
    reference_fit: object
    initial_fit: object
    holds: bool
    group_partial: list
    score_tests: pd.DataFrame
    cutoffs: dict
    group_equal: list

    def __repr__(self) -> str:
        state = "holds" if self.holds else "does NOT hold"
        freed = ", ".join(self.freed) or "nothing"
        return f"Partial {self.level} invariance {state} after freeing: {freed}\n{self.steps.round(4).to_string(index=False)}"


# --------------------------------------------------------------------------------------------- main API


def _fit_level(model, data, group, estimator, missing, group_equal, group_partial, fit_kwargs):
    from .api import sem

    return sem(model, data, group=group, estimator=estimator, missing=missing, group_equal=group_equal,
               group_partial=group_partial or None, **fit_kwargs)


def _pool_waves(data, group: str | None) -> tuple[pd.DataFrame, str]:
    """Several waves (SurveyWaves or DataFrames) stacked into one frame with a group column: ``group`` when every
    wave has it, else a ``wave`` column (each wave's own ``wave`` values when all have one, else 1, 2, ...)."""
    from .pipeline import resolve_frame

    frames = [resolve_frame(d) for d in data]
    if len(frames) < 2:
        raise DataError("invariance across waves needs at least two waves (or one frame with a group column)")
    if group is not None:
        lacking = [i + 1 for i, f in enumerate(frames) if group not in f.columns]
        if lacking:
            raise DataError(f"group column {group!r} is missing in wave(s) {', '.join(map(str, lacking))}")
        return pd.concat(frames, ignore_index=True), group
    if all("wave" in f.columns for f in frames):
        pooled = pd.concat(frames, ignore_index=True)
        if pooled["wave"].nunique(dropna=True) >= 2:
            return pooled, "wave"
    return pd.concat([f.assign(wave=i) for i, f in enumerate(frames, start=1)], ignore_index=True), "wave"


def invariance(model: str, data, group: str | None = None, levels=("configural", "metric", "scalar", "strict"),
               estimator: str = "ML", missing: str = "listwise", cutoffs=None, ordered=None,
               group_partial=None, **fit_kwargs) -> InvarianceResult:
    """Fit the measurement-invariance sequence and compare consecutive levels.

    Parameters
    ----------
    model : str
        lavaan syntax of the (configural) model.
    data : pandas.DataFrame or SurveyWave-like, or a list of them
        Data with the grouping column (waves of a repeated cross-section work as groups too), or several waves
        (as :func:`resilience_stats.report` takes them), stacked here with a ``wave`` column.
    group : str, optional
        Grouping column; groups in order of first appearance. Default with a list of waves: ``"wave"`` (each
        wave's own ``wave`` values, else 1, 2, ...); required otherwise.
    levels : sequence of str
        Cumulative levels: "configural", "metric", "scalar", "strict", "means" (also "lv_variances",
        "lv_covariances", "regressions", "residual_covariances").
    estimator : {"ML", "MLR", "WLSMV", "ULSMV"}  (ML becomes WLSMV with ordered items)
    missing : {"listwise", "fiml"}
    cutoffs : None, str or dict
        Decision rule (see :func:`resolve_cutoffs`; default Chen 2007: delta CFI <= -0.010 or
        delta RMSEA >= 0.015 means not invariant).
    ordered : True or list of str, optional
        Ordinal items (WLSMV/ULSMV, delta parameterization; all model indicators must be ordinal): thresholds
        replace intercepts in the scalar level (lavaan's ``group.equal``: with thresholds equal the scale factors
        and latent means of groups 2.. are free). The table then shows chisq_scaled (scaled-shifted),
        cfi/tli/rmsea_scaled and the Satorra (2000) scaled-shifted difference test (lavaan's ``lavTestLRT``
        default for WLSMV). "strict" adds no constraint with the delta parameterization (reported as not
        testable). See :mod:`resilience_stats.sem.partable` and :mod:`resilience_stats.sem.scaling`.
    group_partial : list of str, optional
        Parameters exempt from the equality constraints in every level.
    **fit_kwargs
        Passed to :func:`resilience_stats.sem.sem` (std_lv, se, information, ...).

    Returns
    -------
    InvarianceResult

    Examples
    --------
    >>> import pandas as pd
    >>> from resilience_stats.sem.invariance import simulate_groups
    >>> df = simulate_groups(n=(300, 300), seed=1)
    >>> res = invariance("F =~ y1 + y2 + y3 + y4", df, "group")
    >>> res.table["level"].tolist()
    ['configural', 'metric', 'scalar', 'strict']
    >>> res.table["delta_df"].tolist()[1:]
    [3.0, 3.0, 4.0]
    """
    if isinstance(data, (list, tuple)):
        data, group = _pool_waves(data, group)
    elif group is None:
        raise ModelSpecificationError("invariance() needs group= (the column of groups or waves), or a list of "
                                      "waves as data")
    ordered_flag = bool(ordered)
    if ordered_flag:
        fit_kwargs["ordered"] = ordered
        if str(estimator).upper() == "ML":
            estimator = "WLSMV"  # lavaan's default for ordered data
    ge = level_group_equal(levels, ordered=ordered_flag)
    cut = resolve_cutoffs(cutoffs)
    fits: dict = {}
    rows = []
    prev_m = prev_fit = None
    prev_holds = True
    for lev, eq in ge.items():
        fit = _fit_level(model, data, group, estimator, missing, eq, group_partial, fit_kwargs)
        fits[lev] = fit
        m = _measures(fit)
        row = {"level": lev, **m}
        if prev_fit is None:
            row.update(delta_chisq=np.nan, delta_df=np.nan, lrt_p=np.nan, delta_cfi=np.nan, delta_rmsea=np.nan,
                       decision="reference (no cross-group constraints)" if not eq else "reference")
        else:
            lrt = lrt_difference(prev_fit, fit)
            holds, text = _decide(prev_m, m, lrt, cut)
            if not prev_holds:
                text += " (the previous level did not hold)"
            if _is_ordinal(fit) and lev == "strict" and lrt["delta_df"] == 0:
                text = ("not testable: with ordered items (delta parameterization) the residual variances are not "
                        "parameters, so equal 'residuals' adds no constraint (lavaan gives the identical fit); "
                        "strict invariance needs the theta parameterization (not supported yet)")
            row.update(delta_chisq=lrt["delta_chisq"], delta_df=lrt["delta_df"], lrt_p=lrt["pvalue"],
                       delta_cfi=m["cfi"] - prev_m["cfi"], delta_rmsea=m["rmsea"] - prev_m["rmsea"], decision=text)
            prev_holds = prev_holds and holds
        rows.append(row)
        prev_m, prev_fit = m, fit
    table = pd.DataFrame(rows, columns=TABLE_COLUMNS)
    first = next(iter(fits.values()))
    return InvarianceResult(table=table, fits=fits, cutoffs=cut, group_equal=ge, model=model, group=group,
                            group_labels=list(first._state.group_labels), estimator=str(estimator).upper(),
                            fit_kwargs=dict(fit_kwargs, missing=missing))


# --------------------------------------------------------------------------------------------- score tests


_AUTO_LABEL = re.compile(r"^\.p\d+\.$")


def _constraint_sets(pt: pd.DataFrame) -> list[list[int]]:
    """Row positions sharing a cross-group equality label (``.pK.``), one list per constrained parameter."""
    sets: dict[str, list[int]] = {}
    for k, (lab, fr, op) in enumerate(zip(pt["label"], pt["free"], pt["op"])):
        if op != ":=" and fr > 0 and isinstance(lab, str) and _AUTO_LABEL.match(lab):
            sets.setdefault(lab, []).append(k)
    return [v for v in sets.values() if len(v) > 1]


def _unconstrained_problem(fit):
    """Gradient and expected information of the parameterization without the cross-group equality
    constraints, at the constrained estimates; the 0/1 matrix ``A`` (unconstrained x constrained parameters)
    and, per constrained parameter, the unconstrained indices of its rows."""
    from dataclasses import replace

    from .pipeline import _model_blocks, _set_exo_values, make_objective

    st = fit._state
    pt = st.pt
    sets = _constraint_sets(pt)
    in_set = {k for s in sets for k in s}
    free = pt["free"].to_numpy()
    new_free = np.zeros(len(pt), dtype=int)
    index: dict = {}
    old_of_new = []
    for k in range(len(pt)):
        if free[k] <= 0 or pt["op"].iat[k] == ":=":
            continue
        key = ("row", k) if k in in_set else ("old", int(free[k]))
        if key not in index:
            index[key] = len(index) + 1
            old_of_new.append(int(free[k]) - 1)
        new_free[k] = index[key]
    pt_u = pt.copy()
    pt_u["free"] = new_free
    old_of_new = np.array(old_of_new, dtype=int)
    theta_u = st.theta[old_of_new]
    design = replace(st.design, pt=pt_u)
    models = _model_blocks(design)
    _set_exo_values(models, st.stats)
    obj = make_objective(design, st.opts, models, st.stats)  # the fit's own estimator, through the pipeline
    g, H = obj.grad_info(theta_u)
    A = np.zeros((len(theta_u), len(st.theta)))
    A[np.arange(len(theta_u)), old_of_new] = 1.0
    set_idx = [np.array([new_free[k] - 1 for k in s]) for s in sets]
    return g, H, A, sets, set_idx, obj.ntotal


def _release_stat(g, H, A, idx, split, N, cache: dict) -> float:
    """Score statistic for splitting the tied unconstrained parameters ``idx`` (one constrained parameter)
    into the subsets ``split`` (lists of positions into ``idx``), keeping all other constraints:
    N g' Z (Z' H Z)^-1 Z' g, Z spanning the parameter space with those constraints released
    (Z = [A without the parameter's column, one indicator column per subset]; the inverse of Z' H Z by blocks,
    from the inverse of the constrained information A' H A)."""
    if "Minv" not in cache:
        cache["HA"] = H @ A
        cache["Minv"] = np.linalg.pinv(A.T @ cache["HA"])
        cache["Ag"] = A.T @ g
    HA, Minv, Ag = cache["HA"], cache["Minv"], cache["Ag"]
    old = int(np.flatnonzero(A[idx[0]])[0])
    keep = np.arange(A.shape[1]) != old
    # inverse of A'HA without row/column `old` (rank-one downdate of the full inverse)
    P = Minv[np.ix_(keep, keep)] - np.outer(Minv[keep, old], Minv[old, keep]) / Minv[old, old]
    E = np.zeros((A.shape[0], len(split)))
    for j, sub in enumerate(split):
        E[idx[np.asarray(sub)], j] = 1.0
    B = E.T @ HA[:, keep]
    u1, u2 = Ag[keep], E.T @ g
    Pu1 = P @ u1
    S = E.T @ H @ E - B @ P @ B.T  # Schur complement
    r = u2 - B @ Pu1
    try:
        v = np.linalg.solve(S, r)
    except np.linalg.LinAlgError:
        v = np.linalg.pinv(S) @ r
    return float(N * (u1 @ Pu1 + r @ v))


def _syntax(lhs, op, rhs) -> str:
    return f"{lhs} ~1" if op == "~1" else f"{lhs} {op} {rhs}"


def equality_score_tests(fit, by: str = "parameter", types=None) -> pd.DataFrame:
    """Score tests for releasing cross-group equality constraints (lavaan's ``lavTestScore``).

    Parameters
    ----------
    fit : SEMResult
        A multiple-group fit with ``group_equal`` constraints.
    by : {"parameter", "constraint"}
        "constraint": one univariate test per constraint (group 1 vs group g; columns lhs, op, rhs with the
        ``.pK.`` labels, X2, df, pvalue -- lavaan's ``$uni`` table); "parameter": release all G - 1 constraints
        of a parameter at once (columns parameter (lavaan syntax), lhs, op, rhs, type, X2, df, pvalue).
    types : list of str, optional
        Only parameters of these ``group_equal`` types (e.g. ["intercepts"]).

    Examples
    --------
    >>> from resilience_stats.sem.invariance import simulate_groups
    >>> from resilience_stats.sem import cfa
    >>> df = simulate_groups(n=(300, 300), seed=1, intercept_shift={"y2": 0.8})
    >>> fit = cfa(df, "F =~ y1 + y2 + y3 + y4", group="group", group_equal=["loadings", "intercepts"])
    >>> equality_score_tests(fit, types=["intercepts"]).iloc[0]["parameter"]
    'y2 ~1'
    """
    if _is_ordinal(fit):
        raise ModelSpecificationError("score tests of equality constraints for ordinal (WLSMV/ULSMV) fits are not "
                                      "supported yet; release parameters with group_partial= and compare the "
                                      "fits with lrt_difference (Satorra 2000 scaled-shifted test)")
    g, H, A, sets, set_idx, N = _unconstrained_problem(fit)
    cache: dict = {}
    pt = fit._state.pt
    if not sets:
        raise ModelSpecificationError("the model has no cross-group equality constraints to test")
    if by == "constraint":
        out = []
        for s, idx in zip(sets, set_idx):
            for j in range(1, len(s)):
                x2 = _release_stat(g, H, A, idx, [[i for i in range(len(s)) if i != j], [j]], N, cache)
                out.append({"lhs": pt["plabel"].iat[s[0]], "op": "==", "rhs": pt["plabel"].iat[s[j]], "X2": x2,
                            "df": 1, "pvalue": float(sps.chi2.sf(x2, 1))})
        return pd.DataFrame(out)
    if by != "parameter":
        raise ModelSpecificationError("by must be 'parameter' or 'constraint'")
    from .groups import GROUP_EQUAL_TYPES, equality_flags, normalize_group_equal

    mod0 = fit._state.models[0]
    ov_nox = [v for v in mod0.ov if v not in set(getattr(mod0, "exo_names", []))]
    wanted = None if types is None else normalize_group_equal(types)
    out = []
    for s, idx in zip(sets, set_idx):
        k = s[0]
        lhs, op, rhs = pt["lhs"].iat[k], pt["op"].iat[k], pt["rhs"].iat[k]
        ptype = next((t for t in GROUP_EQUAL_TYPES
                      if equality_flags([lhs], [op], [rhs], [1], ov_nox=ov_nox, lv=mod0.lv, types=[t])[0]), "other")
        if wanted is not None and ptype not in wanted:
            continue
        x2 = _release_stat(g, H, A, idx, [[i] for i in range(len(s))], N, cache)
        df = len(s) - 1
        out.append({"parameter": _syntax(lhs, op, rhs), "lhs": lhs, "op": op, "rhs": rhs, "type": ptype,
                    "X2": x2, "df": df, "pvalue": float(sps.chi2.sf(x2, df))})
    cols = ["parameter", "lhs", "op", "rhs", "type", "X2", "df", "pvalue"]
    return pd.DataFrame(out, columns=cols).sort_values("X2", ascending=False, kind="stable").reset_index(drop=True)


# --------------------------------------------------------------------------------------------- partial


def partial_invariance(model: str, data, group: str, level: str = "scalar", estimator: str = "ML",
                       missing: str = "listwise", cutoffs=None, levels=LEVELS, max_free: int | None = None,
                       ordered=None, group_partial=None, **fit_kwargs) -> PartialInvarianceResult:
    """Release cross-group equality constraints of one level, one parameter at a time, until it holds.

    The level is compared with the previous level of ``levels`` (scalar with metric, ...) by the same
    ``cutoffs`` as :func:`invariance`. While it does not hold, the constraint with the largest score test
    (:func:`equality_score_tests`, released in all groups) among the parameters this level constrains (e.g.
    intercepts for scalar) is freed (``group_partial``) and the model refitted.

    Parameters
    ----------
    level : str
        The level to make (partially) hold, e.g. "metric" or "scalar".
    max_free : int, optional
        Stop after this many released parameters (default: all candidates).
    group_partial : list of str, optional
        Parameters already free at the start (also in the reference level).

    Returns
    -------
    PartialInvarianceResult

    Examples
    --------
    >>> from resilience_stats.sem.invariance import simulate_groups
    >>> df = simulate_groups(n=(400, 400), seed=2, intercept_shift={"y3": 1.0})
    >>> res = partial_invariance("F =~ y1 + y2 + y3 + y4", df, "group", level="scalar")
    >>> res.freed, res.holds
    (['y3 ~1'], True)
    """
    levels = [str(l).replace(".", "_") for l in levels]
    level = str(level).replace(".", "_")
    if level not in levels or levels.index(level) == 0:
        raise ModelSpecificationError(f"level {level!r} must be one of {levels[1:]} (it needs a previous level)")
    ordered_flag = bool(ordered)
    if ordered_flag:
        raise ModelSpecificationError("partial_invariance with ordered items is not supported yet (it needs score "
                                      "tests for WLSMV); use invariance(..., ordered=..., group_partial=[...])")
    ge = level_group_equal(levels[: levels.index(level) + 1], ordered=ordered_flag)
    ref_level = levels[levels.index(level) - 1]
    new_types = [t for t in ge[level] if t not in ge[ref_level]]
    cut = resolve_cutoffs(cutoffs)
    partial = list(group_partial or [])
    ref_fit = _fit_level(model, data, group, estimator, missing, ge[ref_level], partial, fit_kwargs)
    ref_m = _measures(ref_fit)
    fit = _fit_level(model, data, group, estimator, missing, ge[level], partial, fit_kwargs)
    initial = fit
    holds, text = _decide(ref_m, _measures(fit), lrt_difference(ref_fit, fit), cut)
    first_scores = None
    freed, steps = [], []
    limit = max_free if max_free is not None else 10**6
    while not holds and len(freed) < limit:
        try:
            sc = equality_score_tests(fit, types=new_types)
        except ModelSpecificationError:
            break
        if first_scores is None:
            first_scores = sc
        if not len(sc):
            break
        top = sc.iloc[0]
        partial.append(top["parameter"])
        freed.append(top["parameter"])
        fit = _fit_level(model, data, group, estimator, missing, ge[level], partial, fit_kwargs)
        m = _measures(fit)
        lrt = lrt_difference(ref_fit, fit)
        holds, text = _decide(ref_m, m, lrt, cut)
        steps.append({"step": len(freed), "freed": top["parameter"], "score_chisq": top["X2"],
                      "score_df": top["df"], "score_pvalue": top["pvalue"], "chisq": m["chisq"], "df": m["df"],
                      "cfi": m["cfi"], "rmsea": m["rmsea"], "srmr": m["srmr"],
                      "delta_cfi": m["cfi"] - ref_m["cfi"], "delta_rmsea": m["rmsea"] - ref_m["rmsea"],
                      "lrt_p": lrt["pvalue"], "decision": text})
    if first_scores is None:
        try:
            first_scores = equality_score_tests(initial, types=new_types)
        except ModelSpecificationError:
            first_scores = pd.DataFrame()
    cols = ["step", "freed", "score_chisq", "score_df", "score_pvalue", "chisq", "df", "cfi", "rmsea", "srmr",
            "delta_cfi", "delta_rmsea", "lrt_p", "decision"]
    return PartialInvarianceResult(level=level, freed=freed, steps=pd.DataFrame(steps, columns=cols), fit=fit,
                                   reference_fit=ref_fit, initial_fit=initial, holds=holds, group_partial=partial,
                                   score_tests=first_scores, cutoffs=cut, group_equal=ge[level])


# --------------------------------------------------------------------------------------------- latent means


def _pick_fit(obj):
    if isinstance(obj, PartialInvarianceResult):
        return obj.fit
    if isinstance(obj, InvarianceResult):
        for lev in ("scalar", "strict"):
            if lev in obj.fits:
                return obj.fits[lev]
        raise ModelSpecificationError("the invariance result has no scalar (or strict) level; latent means are "
                                      "only comparable once intercepts are equal")
    return obj


def latent_mean_differences(obj, level: float = 0.95) -> pd.DataFrame:
    """Latent mean differences of each group against the reference (first) group.

    With intercepts (thresholds) equal across groups, the latent means of group 1 are fixed at 0 and those of
    the other groups are free: each estimate *is* the difference to the reference group.

    Parameters
    ----------
    obj : SEMResult, InvarianceResult or PartialInvarianceResult
        A multiple-group fit with free latent means (an :class:`InvarianceResult` uses its scalar fit, or strict
        when scalar was not fitted; a partial-invariance result its final fit).
    level : float
        Confidence level of the Wald intervals.

    Returns
    -------
    pandas.DataFrame
        group, reference, factor, est, se, z, pvalue, ci_lower, ci_upper, effect_size, effect_size_pooled (factors
        whose mean is fixed, e.g. first-order factors of a higher-order factor, are left out).
        ``effect_size`` = difference / sqrt(latent variance of the reference group) (a Cohen's d in reference
        SD units); ``effect_size_pooled`` divides by sqrt((n_1 psi_1 + n_g psi_g) / (n_1 + n_g)).

    Examples
    --------
    >>> from resilience_stats.sem.invariance import simulate_groups
    >>> from resilience_stats.sem import cfa
    >>> df = simulate_groups(n=(500, 500), seed=4, latent_mean=(0.0, 0.5))
    >>> fit = cfa(df, "F =~ y1 + y2 + y3 + y4", group="group", group_equal=["loadings", "intercepts"])
    >>> lmd = latent_mean_differences(fit)
    >>> lmd[["group", "factor"]].values.tolist()
    [[2, 'F']]
    >>> bool(0.3 < lmd["effect_size"].iloc[0] < 0.7)
    True
    """
    fit = _pick_fit(obj)
    if fit.n_groups < 2:
        raise ModelSpecificationError("latent mean differences need a multiple-group fit (group=)")
    est = fit.estimates
    labels = list(fit._state.group_labels) or list(range(1, fit.n_groups + 1))
    nobs = [s.nobs for s in fit._state.stats]
    lv = fit._state.models[0].lv
    zcrit = float(sps.norm.ppf(0.5 + level / 2))
    out = []
    for gi in range(2, fit.n_groups + 1):
        for f in lv:
            row = est[(est["lhs"] == f) & (est["op"] == "~1") & (est["group"] == gi)]
            if not len(row) or not np.isfinite(row["se"].iloc[0]):
                continue  # fixed (e.g. first-order factors of a higher-order factor)
            e, s = float(row["est"].iloc[0]), float(row["se"].iloc[0])
            v1 = float(est.loc[(est["lhs"] == f) & (est["op"] == "~~") & (est["rhs"] == f) & (est["group"] == 1),
                               "est"].iloc[0])
            vg = float(est.loc[(est["lhs"] == f) & (est["op"] == "~~") & (est["rhs"] == f) & (est["group"] == gi),
                               "est"].iloc[0])
            pooled = (nobs[0] * v1 + nobs[gi - 1] * vg) / (nobs[0] + nobs[gi - 1])
            z = e / s if s > 0 else np.nan
            out.append({"group": labels[gi - 1], "reference": labels[0], "factor": f, "est": e, "se": s, "z": z,
                        "pvalue": float(2 * sps.norm.sf(abs(z))), "ci_lower": e - zcrit * s, "ci_upper": e + zcrit * s,
                        "effect_size": e / np.sqrt(v1) if v1 > 0 else np.nan,
                        "effect_size_pooled": e / np.sqrt(pooled) if pooled > 0 else np.nan})
    if not out:
        raise ModelSpecificationError(
            "no latent mean is a free parameter in groups 2.. (so none is comparable); fit the model with equal "
            "intercepts (scalar invariance: group_equal=['loadings', 'intercepts'])")
    return pd.DataFrame(out)


# --------------------------------------------------------------------------------------------- simulation


def simulate_groups(n=(300, 300), seed: int | None = None, n_items: int = 4, loadings=None,
                    intercepts=None, residual_sd=None, latent_mean=None, latent_sd=None,
                    intercept_shift: dict | None = None, loading_shift: dict | None = None, group_col: str = "group",
                    labels=None, factors: int = 1) -> pd.DataFrame:
    """Simulate a multiple-group one- or multi-factor model (items ``y1..``; with ``factors > 1`` the items are
    split evenly: factor k loads on its own block), for examples, tests and benchmarks.

    ``intercept_shift`` / ``loading_shift`` ({"y3": 0.8}) change an item's intercept / loading in every group
    after the first (non-invariance). ``latent_mean`` / ``latent_sd`` give one value per group (same for all
    factors).

    Examples
    --------
    >>> df = simulate_groups(n=(50, 60), seed=0)
    >>> df.shape, df["group"].unique().tolist()
    ((110, 5), [1, 2])
    """
    rng = np.random.default_rng(seed)
    G = len(n)
    p = n_items * factors
    lam = np.full(p, 0.8) if loadings is None else np.asarray(loadings, float)
    nu = np.linspace(2.0, 3.0, p) if intercepts is None else np.asarray(intercepts, float)
    rsd = np.full(p, 0.6) if residual_sd is None else np.asarray(residual_sd, float)
    mu = np.zeros(G) if latent_mean is None else np.asarray(latent_mean, float)
    sd = np.ones(G) if latent_sd is None else np.asarray(latent_sd, float)
    labels = list(range(1, G + 1)) if labels is None else list(labels)
    names = [f"y{i + 1}" for i in range(p)]
    block = np.repeat(np.arange(factors), n_items)
    parts = []
    for g in range(G):
        lam_g, nu_g = lam.copy(), nu.copy()
        if g > 0:
            for k, v in (intercept_shift or {}).items():
                nu_g[names.index(k)] += v
            for k, v in (loading_shift or {}).items():
                lam_g[names.index(k)] += v
        C = np.full((factors, factors), 0.4) + 0.6 * np.eye(factors)
        eta = mu[g] + sd[g] * rng.standard_normal((n[g], factors)) @ np.linalg.cholesky(C).T
        Y = nu_g + eta[:, block] * lam_g + rng.standard_normal((n[g], p)) * rsd
        d = pd.DataFrame(Y, columns=names)
        d.insert(0, group_col, labels[g])
        parts.append(d)
    return pd.concat(parts, ignore_index=True)
