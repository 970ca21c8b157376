"""Common-method-bias checks: Harman's single-factor test, the single-factor CFA, an unmeasured latent method
construct (ULMC) and the marker-variable correction.

* **Harman** (Podsakoff et al., 2003): the share of the items' total variance taken by the first unrotated
  factor of the item correlations -- principal components (SPSS's default, ``psych::principal(nfactors = 1,
  rotate = "none")``: first eigenvalue / p) and one-factor EFA (minres, ``psych::fa(nfactors = 1, rotate =
  "none")``, and principal axis): sum of squared loadings / p.  A share above ``harman_cut`` (50%) is flagged.
  Correlations over pairwise complete cases (listwise with ``missing="listwise"``).
* **Single-factor CFA**: every indicator on one factor, against the measurement model; chi-square difference
  test (ML: the plain difference; MLR: the Satorra-Bentler (2001) scaled difference ``(T0 - T1) / cd`` with
  ``cd = (df0 c0 - df1 c1) / (df0 - df1)`` from the unscaled statistics and scaling factors, as lavaan's
  ``anova``).
* **ULMC / CLF**: the measurement model plus a method factor ``CMV`` on every indicator, uncorrelated with the
  exogenous trait factors; loadings equal (``1*item``, method variance free -- the default, as a method factor
  with free loadings is often empirically under-identified when method variance is small) or free (first
  loading free, variance fixed to 1).  Reported: the chi-square difference, the changes in CFI, TLI, RMSEA and
  SRMR, and per item the share of variance due to the method factor, the squared standardized method loading.
  ULMC is flagged when CFI improves by more than ``delta_cfi_cut`` or RMSEA falls by more than
  ``delta_rmsea_cut`` (the 0.10 / 0.05 convention of the Chinese literature, after Wen et al.), unless the
  solution is improper or did not converge (then it is reported, not flagged).
* **Marker variable** (Lindell & Whitney, 2001): ``r_M`` is the smallest positive correlation of the marker with
  the substantive variables (``marker_r="smallest"``), the second smallest (``"second_smallest"``, their
  conservative choice) or a given value; each correlation among the substantive variables (construct scores
  -- the mean of the answered items when at least half are answered, as ``SurveyWave.scores`` -- or the items
  when there is no model) becomes ``r_A = (r - r_M) / (1 - r_M)``, tested with
  ``t = r_A / sqrt((1 - r_A^2) / (n - 3))`` on ``n - 3`` df.  Complete cases on the marker and the variables.

The CFA models are fitted with :func:`resilience_stats.cfa` (fit indices of the engine; robust CFI/TLI/RMSEA
for MLR); every delta is the less restricted model's index minus the restricted model's.  No Python library
offers these checks.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any, Iterable

import numpy as np
import pandas as pd
from scipy import stats

from .._warn import warn
from ..errors import DataError, EstimationWarning, ModelSpecificationError
from ..sem.fitmeasures import reported_fit
from ..sem.invariance import lrt_difference
from ._fa import extract
from .efa import correlation_input

__all__ = ["CommonMethodResult", "common_method_bias", "marker_correction"]

TESTS = ("harman", "single_factor", "ulmc", "marker")
_LOADINGS = ("equal", "free")
_FIT_COLUMNS = ["chisq", "df", "pvalue", "cfi", "tli", "rmsea", "srmr"]
_IMPROPER = ("negative variance", "larger than 1", "not positive definite")


@dataclass(repr=False)
class CommonMethodResult:
    """Result of :func:`common_method_bias`.

    Attributes
    ----------
    harman : pandas.DataFrame or None
        One row per variant (``pca``, ``efa_minres``, ``efa_pa``): ``ss_loadings`` (first eigenvalue or sum of
        squared loadings), ``share`` (of the total variance, 0-1), ``flag`` (share > ``harman_cut``).
    model_fit : pandas.DataFrame or None
        Rows ``measurement``, ``single_factor``, ``ulmc`` (those fitted): chisq, df, pvalue, cfi, tli, rmsea,
        srmr (scaled chi-square and robust indices for MLR), ``converged``, ``improper``.
    comparisons : pandas.DataFrame or None
        Rows ``single_factor_vs_measurement`` and ``measurement_vs_ulmc``: ``chisq_diff``, ``df_diff``,
        ``pvalue``, ``method`` (the engine's difference test: "chi-square difference" or "Satorra-Bentler
        (2001) scaled difference"), ``delta_cfi``, ``delta_tli``, ``delta_rmsea``, ``delta_srmr`` (index of the less restricted model minus the restricted model's: a
        better fit shows as a positive CFI/TLI and a negative RMSEA/SRMR change), ``flag`` (ULMC only).
    method_variance : pandas.DataFrame or None
        Per item: ``factor`` (its trait factor), ``trait_loading``, ``method_loading`` (standardized; the method
        factor signed so that its loadings sum to a positive value), ``trait_share``, ``method_share`` (squared
        standardized loadings; NaN when the method variance is negative).
    marker : pandas.DataFrame or None
        Per pair of substantive variables: ``var1``, ``var2``, ``r``, ``p``, ``r_corrected``, ``t``, ``df``,
        ``p_corrected``, ``lost_significance`` (p < .05 before, not after).
    marker_correlations : pandas.Series or None
        Correlations of the marker with each substantive variable.
    r_m : float
        The marker correlation used (NaN without a marker).
    fits : dict
        The fitted models (:class:`~resilience_stats.sem.SEMResult`): ``measurement``, ``single_factor``,
        ``ulmc``.
    verdict : str
        One line summing up every check that ran.
    flags : dict
        ``{check: bool}``: whether each check points to a common-method problem.
    items : list of str
    n_obs : int
        Rows of the data.
    options : dict
        estimator, missing, method_loadings, marker, marker_r, cuts.
    warnings : list of str
    """

    harman: pd.DataFrame | None
    model_fit: pd.DataFrame | None
    comparisons: pd.DataFrame | None
    method_variance: pd.DataFrame | None
    marker: pd.DataFrame | None
    marker_correlations: pd.Series | None
    r_m: float
    fits: dict
    verdict: str
    flags: dict
    items: list[str]
    n_obs: int
    options: dict
    warnings: list[str] = field(default_factory=list)

    @property
    def tests(self) -> list[str]:
        """The checks that ran."""
        return list(self.flags)

    def __repr__(self) -> str:
        return f"CommonMethodResult(items={len(self.items)}, n_obs={self.n_obs}, tests={self.tests}): {self.verdict}"

    def summary(self, digits: int = 3) -> str:
        """A plain-text report: the verdict, then each check's table."""
        parts = [f"Common-method bias ({len(self.items)} items, n = {self.n_obs})", self.verdict]
        for title, frame in (("Harman's single-factor test", self.harman), ("Model fit", self.model_fit),
                             ("Model comparisons", self.comparisons),
                             ("Method variance per item (ULMC)", self.method_variance),
                             (f"Marker-variable correction (r_M = {self.r_m:.{digits}f})", self.marker)):
            if frame is not None:
                parts += ["", title, frame.round(digits).to_string()]
        parts += [f"warning: {w}" for w in self.warnings]
        return "\n".join(parts)

    def to_table(self, kind: str | None = None, *, lang: str = "en", style: str = "apa", number: int | None = None,
                 title=None, instrument=None, **options):
        """Publication table: ``kind="summary"`` (default: Harman shares and the model comparisons), ``"fit"``,
        ``"method_variance"`` or ``"marker"``; see :func:`resilience_stats.tables.from_result`."""
        from ..tables.adapters import from_result  # presentation is imported only when asked for

        return from_result(self, kind, lang=lang, style=style, number=number, title=title, instrument=instrument,
                           **options)


# -- small pure pieces ---------------------------------------------------------------------------------------------
def _difference(restricted: Any, general: Any) -> dict:
    """Chi-square difference test of two nested fits with the engine's own test (lavaan's ``lavTestLRT``:
    Satorra-Bentler 2001 for MLR, plain difference for ML)."""
    d = lrt_difference(general, restricted)
    return {"chisq_diff": d["delta_chisq"], "df_diff": d["delta_df"], "pvalue": d["pvalue"], "method": d["method"]}


def marker_correction(r: np.ndarray, names: list[str], r_m: float, n: int) -> pd.DataFrame:
    """Lindell-Whitney corrected correlations of every pair of ``names`` (correlation matrix ``r``, n cases)."""
    iu, ju = np.triu_indices(len(names), 1)
    rr = r[iu, ju]
    t0 = rr * np.sqrt((n - 2) / (1 - rr**2))
    ra = (rr - r_m) / (1 - r_m)
    t = ra * np.sqrt((n - 3) / (1 - ra**2))
    p0 = 2 * stats.t.sf(np.abs(t0), n - 2)
    p = 2 * stats.t.sf(np.abs(t), n - 3)
    return pd.DataFrame({"var1": np.array(names)[iu], "var2": np.array(names)[ju], "r": rr, "p": p0,
                         "r_corrected": ra, "t": t, "df": n - 3, "p_corrected": p,
                         "lost_significance": (p0 < 0.05) & (p >= 0.05)})


def _pick_r_m(corrs: pd.Series, how: Any, notes: list[str]) -> float:
    if isinstance(how, (int, float)) and not isinstance(how, bool):
        if not -1 < float(how) < 1:
            raise DataError(f"marker_r must lie in (-1, 1), got {how!r}")
        return float(how)
    if how not in ("smallest", "second_smallest"):
        raise DataError(f"marker_r must be 'smallest', 'second_smallest' or a number, got {how!r}")
    pos = np.sort(corrs[corrs > 0].to_numpy())
    need = 1 if how == "smallest" else 2
    if pos.size < need:
        notes.append(f"the marker has {'no' if pos.size == 0 else 'only one'} positive correlation with the "
                     "substantive variables: r_M = 0 (no correction)")
        return 0.0
    return float(pos[need - 1])


def _harman(r: np.ndarray, cut: float) -> pd.DataFrame:
    p = r.shape[0]
    rows = {"pca": float(np.linalg.eigvalsh(r)[-1])}
    for label, method in (("efa_minres", "minres"), ("efa_pa", "pa")):
        rows[label] = float(extract(r, 1, method).communality.sum())
    out = pd.DataFrame({"ss_loadings": pd.Series(rows)})
    out["share"] = out["ss_loadings"] / p
    out["flag"] = out["share"] > cut
    out.index.name = "variant"
    return out


def _fit_row(fit: Any) -> dict:
    """The fit measures the engine reports for this fit (scaled chi-square and robust indices with MLR)."""
    r = reported_fit(fit)
    row = {c: float(r[c]) for c in _FIT_COLUMNS}
    row["converged"] = bool(fit.converged)
    row["improper"] = any(key in w for w in fit.warnings for key in _IMPROPER)
    return row


def _deltas(restricted: dict, general: dict) -> dict:
    """Each index of the less restricted model minus the restricted model's (an RMSEA that falls is negative)."""
    return {f"delta_{k}": general[k] - restricted[k] for k in ("cfi", "tli", "rmsea", "srmr")}


def _structure(estimates: pd.DataFrame) -> tuple[list[str], dict[str, list[str]], list[str]]:
    """(indicators, {first-order factor: indicators}, exogenous latent factors) of a fitted model."""
    load = estimates[estimates["op"] == "=~"]
    latents = list(dict.fromkeys(load["lhs"]))
    groups: dict[str, list[str]] = {}
    for lhs, rhs in zip(load["lhs"], load["rhs"]):
        if rhs not in latents:
            groups.setdefault(lhs, []).append(rhs)
    items = list(dict.fromkeys(i for v in groups.values() for i in v))
    endogenous = set(load["rhs"]) | set(estimates.loc[estimates["op"] == "~", "lhs"])
    return items, groups, [f for f in latents if f not in endogenous]


def _free_name(base: str, taken: Iterable[str]) -> str:
    taken = set(taken)
    name = base
    while name in taken:
        name += "_"
    return name


def _marker_values(data: Any, frame: pd.DataFrame, marker: str) -> pd.Series:
    """The marker column as floats: from the data, else (a SurveyWave) from its raw table, row for row."""
    if marker in frame.columns:
        col = frame[marker]
    else:
        raw = getattr(data, "raw", None)
        if not isinstance(raw, pd.DataFrame) or marker not in raw.columns or len(raw) != len(frame):
            raise DataError(f"common_method_bias: marker column {marker!r} is not in the data")
        col = pd.Series(raw[marker].to_numpy(), index=frame.index)
    values = pd.to_numeric(col, errors="coerce").astype("float64")
    bad = col.notna() & values.isna()
    if bad.any():
        raise DataError(f"common_method_bias: the marker {marker!r} must be numeric; {int(bad.sum())} value(s) are "
                        f"not (e.g. {col[bad].iloc[0]!r})")
    return values.rename(marker)


def _scores(frame: pd.DataFrame, groups: dict[str, list[str]]) -> pd.DataFrame:
    out = {}
    for factor, items in groups.items():
        block = frame[items].astype("float64")
        need = math.ceil(len(items) / 2)
        out[factor] = block.mean(axis=1).where(block.notna().sum(axis=1) >= need)
    return pd.DataFrame(out, index=frame.index)


def _status(row: dict) -> str:
    return "did not converge" if not row["converged"] else "improper solution" if row["improper"] else ""


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%" if np.isfinite(x) else "n/a"


def _num(x: float, digits: int = 3) -> str:
    """APA style: no leading zero below 1, no negative zero."""
    if not np.isfinite(x):
        return "n/a"
    x = round(x, digits) + 0.0
    s = f"{x:.{digits}f}"
    return s.replace("0.", ".", 1) if abs(x) < 1 else s


def _p(p: float) -> str:
    if not np.isfinite(p):
        return "p not available"
    return "p < .001" if p < 0.001 else f"p = {_num(p)}"


# -- the checks --------------------------------------------------------------------------------------------------
def _quiet_fit(frame: pd.DataFrame, syntax: str, label: str, kw: dict, notes: list[str]):
    """``rs.cfa`` with its warnings collected into ``notes`` (prefixed by ``label``) instead of printed."""
    from ..sem import cfa  # the public CFA; imported here because the SEM engine imports psychometrics

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit = cfa(frame, syntax, **kw)
    msgs = list(dict.fromkeys([*fit.warnings, *(str(w.message) for w in caught)]))
    notes += [f"{label}: {m}" for m in msgs]
    return fit


@dataclass
class _Check:
    """What one check adds to the result: frames (by attribute name), its flag and its part of the verdict."""

    frames: dict
    flag: bool
    verdict: str


def _harman_check(frame: pd.DataFrame, items: list[str], missing: str, cut: float) -> _Check:
    how = "listwise" if missing == "listwise" else "pairwise"
    r, _names, _n, _ = correlation_input(frame[items], missing=how, what="common_method_bias (Harman)")
    harman = _harman(r, cut)
    flag = bool(harman["flag"].any())
    share, efa_share = harman.loc["pca", "share"], harman.loc["efa_minres", "share"]
    return _Check({"harman": harman}, flag,
                  f"Harman: first unrotated factor explains {_pct(share)} (PCA; EFA {_pct(efa_share)}), "
                  f"{'above' if flag else 'below'} {100 * cut:g}%")


def _single_factor_check(frame, items, name, measurement, kw, notes) -> tuple[_Check, Any]:
    fit = _quiet_fit(frame, f"{name} =~ " + " + ".join(items), "single-factor model", kw, notes)
    one, full = _fit_row(fit), _fit_row(measurement)
    comp = _difference(fit, measurement)
    comp.update(_deltas(one, full))
    status = _status(one) or _status(full)
    text = (f"single factor vs measurement model: \u0394\u03c7\u00b2({comp['df_diff']:g}) = {comp['chisq_diff']:.2f}, "
            f"{_p(comp['pvalue'])}, CFI {_num(one['cfi'])} vs {_num(full['cfi'])}" + (f" ({status})" if status else ""))
    # flagged when one factor fits no worse than the measurement model (a dominant, possibly method, factor)
    return _Check({"row": one, "comp": comp}, bool(comp["pvalue"] >= 0.05), text), fit


def _ulmc_syntax(model: str, items: list[str], exogenous: list[str], name: str, loadings: str) -> str:
    if loadings == "equal":
        lines = [f"{name} =~ " + " + ".join(f"1*{i}" for i in items)]
    else:
        lines = [f"{name} =~ NA*{items[0]}" + "".join(f" + {i}" for i in items[1:]), f"{name} ~~ 1*{name}"]
    lines += [f"{name} ~~ 0*{f}" for f in exogenous]
    return model.rstrip() + "\n" + "\n".join(lines)


def _method_variance(estimates: pd.DataFrame, items: list[str], name: str) -> pd.DataFrame:
    load = estimates[estimates["op"] == "=~"]
    meth = load[load["lhs"] == name].set_index("rhs")["std_all"]
    if meth.sum() < 0:  # free loadings: the method factor's sign is arbitrary; shown with a positive sum
        meth = -meth
    trait = load[(load["lhs"] != name) & load["rhs"].isin(items)].drop_duplicates("rhs").set_index("rhs")
    out = pd.DataFrame({"factor": trait["lhs"].reindex(items), "trait_loading": trait["std_all"].reindex(items),
                        "method_loading": meth.reindex(items)}, index=pd.Index(items, name="item"))
    out["trait_share"] = out["trait_loading"] ** 2
    out["method_share"] = out["method_loading"] ** 2
    return out


def _ulmc_check(frame, model, items, exogenous, name, measurement, kw, loadings, cuts,
                notes) -> tuple[_Check, Any]:
    fit = _quiet_fit(frame, _ulmc_syntax(model, items, exogenous, name, loadings), "ULMC", kw, notes)
    row = _fit_row(fit)
    comp = _difference(measurement, fit)
    comp.update(_deltas(_fit_row(measurement), row))
    comp["flag"] = big = bool(comp["delta_cfi"] > cuts[0] or -comp["delta_rmsea"] > cuts[1])
    method_var = _method_variance(fit.estimates, items, name)
    status = _status(row)
    text = (f"ULMC ({loadings} loadings): \u0394CFI = {_num(comp['delta_cfi'])}, \u0394RMSEA = "
            f"{_num(comp['delta_rmsea'])}, mean method variance {_pct(float(method_var['method_share'].mean()))}"
            + (f" ({status})" if status else ""))
    return _Check({"row": row, "comp": comp, "method_variance": method_var}, big and not status, text), fit


def _marker_check(variables: pd.DataFrame, marker_col: pd.Series, how: Any, notes: list[str]) -> _Check:
    both = pd.concat([variables, marker_col.rename("\0marker")], axis=1).dropna(how="any")
    n = both.shape[0]
    if n < 5:
        raise DataError(f"common_method_bias: {n} complete case(s) on the marker and the variables; too few")
    rmat = np.corrcoef(both.to_numpy(), rowvar=False)
    names = list(variables.columns)
    corrs = pd.Series(rmat[-1, :-1], index=names, name=marker_col.name)
    r_m = _pick_r_m(corrs, how, notes)
    table = marker_correction(rmat[:-1, :-1], names, r_m, n)
    lost, sig = int(table["lost_significance"].sum()), int((table["p"] < 0.05).sum())
    return _Check({"marker": table, "marker_correlations": corrs, "r_m": r_m}, lost > 0,
                  f"marker ({marker_col.name}): r_M = {_num(r_m)}, {lost} of {sig} significant correlation(s) "
                  "lose significance after correction")


def _wanted(tests: Iterable[str] | None, available: list[str]) -> list[str]:
    if tests is None:
        return available
    wanted = list(dict.fromkeys(tests))
    unknown = [t for t in wanted if t not in TESTS]
    if unknown:
        raise DataError(f"common_method_bias: unknown test(s) {unknown}; choose from {TESTS}")
    why = {"single_factor": "a measurement model (model= or a SurveyWave)",
           "ulmc": "a measurement model (model= or a SurveyWave)", "marker": "a marker column (marker=)"}
    lacking = [t for t in wanted if t not in available]
    if lacking:
        raise ModelSpecificationError("common_method_bias: " + "; ".join(f"{t!r} needs {why[t]}" for t in lacking))
    return [t for t in TESTS if t in wanted]


def _check_options(estimator: str, missing: str, method_loadings: str) -> str:
    estimator = str(estimator).upper()
    if estimator not in ("ML", "MLR"):
        raise ModelSpecificationError(f"common_method_bias: estimator must be 'ML' or 'MLR' (nested chi-square "
                                      f"differences of normal-theory fits), got {estimator!r}")
    if missing not in ("listwise", "fiml"):
        raise DataError(f"common_method_bias: missing must be 'listwise' or 'fiml', got {missing!r}")
    if method_loadings not in _LOADINGS:
        raise DataError(f"common_method_bias: method_loadings must be one of {_LOADINGS}, got {method_loadings!r}")
    return estimator


def _frame_of(data: Any) -> tuple[pd.DataFrame, bool]:
    is_wave = hasattr(data, "instrument") and hasattr(data, "data")
    frame = data.data if is_wave else data
    if not isinstance(frame, pd.DataFrame):
        raise DataError(f"common_method_bias: expected a SurveyWave or a pandas DataFrame, got {type(data).__name__}")
    return frame, is_wave


def common_method_bias(
    data: Any,
    model: str | None = None,
    marker: str | None = None,
    *,
    tests: Iterable[str] | None = None,
    estimator: str = "ML",
    missing: str = "listwise",
    method_loadings: str = "equal",
    fit: Any = None,
    marker_r: Any = "smallest",
    harman_cut: float = 0.50,
    delta_cfi_cut: float = 0.10,
    delta_rmsea_cut: float = 0.05,
) -> CommonMethodResult:
    """Common-method-bias checks of a survey wave: Harman, single-factor CFA, ULMC and marker variable.

    Parameters
    ----------
    data : SurveyWave or pandas.DataFrame
        The responses.  A DataFrame without ``model`` is taken as items only (plus the ``marker`` column).
    model : str, optional
        lavaan syntax of the measurement model; default the wave's ``instrument.measurement_model()``.  Without
        a model (a DataFrame) only Harman's test and the marker correction (on the items) can run.
    marker : str, optional
        A numeric column theoretically unrelated to the constructs (the marker variable): a column of the
        DataFrame, or of a wave's ``.data`` (else of its ``.raw`` table, where columns the instrument does not
        declare are kept).
    tests : iterable of str, optional
        Any of ``"harman"``, ``"single_factor"``, ``"ulmc"``, ``"marker"``; default every check the input
        allows.  Asking for one the input does not allow raises.
    estimator : {"ML", "MLR"}
        Estimator of the CFA models (MLR: scaled chi-square differences, robust CFI/TLI/RMSEA).
    missing : {"listwise", "fiml"}
        Missing data in the CFA models; ``"listwise"`` also makes Harman's correlations listwise.
    method_loadings : {"equal", "free"}
        Loadings of the ULMC method factor (see the module docstring).
    fit : SEMResult, optional
        An already fitted measurement model (its syntax, estimator and missing-data options are used).
    marker_r : {"smallest", "second_smallest"} or float
        The marker correlation r_M of the Lindell-Whitney correction.
    harman_cut, delta_cfi_cut, delta_rmsea_cut : float
        Flag a first factor above this share, or a ULMC improving CFI / RMSEA by more than these.

    Returns
    -------
    CommonMethodResult

    Raises
    ------
    DataError
        Bad data or arguments, a missing marker column, a marker that is one of the items.
    ModelSpecificationError
        An unsupported estimator, a requested check that needs a model when none is available, a ``fit`` whose
        syntax differs from ``model``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> f, m = rng.normal(size=(400, 2)), rng.normal(size=(400, 1))
    >>> x = np.repeat(f, 3, axis=1) * 0.7 + 0.3 * m + rng.normal(size=(400, 6)) * 0.6
    >>> df = pd.DataFrame(x, columns=["a1", "a2", "a3", "b1", "b2", "b3"])
    >>> df["mk"] = 0.4 * m[:, 0] + rng.normal(size=400)
    >>> cmb = common_method_bias(df, "A =~ a1 + a2 + a3\\nB =~ b1 + b2 + b3", marker="mk")
    >>> cmb.tests, bool(cmb.harman.loc["pca", "share"] < 0.5)
    (['harman', 'single_factor', 'ulmc', 'marker'], True)
    """
    frame, is_wave = _frame_of(data)
    if fit is not None:
        if model is not None and model.strip() != str(fit.model_syntax).strip():
            raise ModelSpecificationError("common_method_bias: fit= was estimated with another model than model=")
        model = fit.model_syntax
        estimator = fit.options.get("estimator", estimator)
        missing = fit.options.get("missing", missing)
    from_instrument = model is None and is_wave
    if from_instrument:
        model = data.instrument.measurement_model()
    estimator = _check_options(estimator, missing, method_loadings)
    marker_col = _marker_values(data, frame, marker) if marker is not None else None
    wanted = _wanted(tests, ["harman"] + (["single_factor", "ulmc"] if model is not None else [])
                     + (["marker"] if marker is not None else []))
    notes: list[str] = []
    kw = {"estimator": estimator, "missing": missing}
    fits: dict[str, Any] = {}
    groups: dict[str, list[str]] | None = None
    exogenous: list[str] = []
    if model is not None and (fit is not None or not from_instrument or {"single_factor", "ulmc"} & set(wanted)):
        fits["measurement"] = fit if fit is not None else _quiet_fit(frame, model, "measurement model", kw, notes)
        items, groups, exogenous = _structure(fits["measurement"].estimates)
    elif from_instrument:   # Harman / marker only: the instrument's constructs, no fit needed
        groups = {k: list(v) for k, v in data.instrument.construct_items.items() if v}
        items = [i for v in groups.values() for i in v]
    else:
        items = [str(c) for c in frame.columns if c != marker]
    if marker is not None and marker in items:
        raise DataError(f"common_method_bias: the marker {marker!r} is one of the substantive items")
    checks: dict[str, _Check] = {}
    if "harman" in wanted:
        checks["harman"] = _harman_check(frame, items, missing, harman_cut)
    taken = set(frame.columns) | set(items) | (set(fits["measurement"].estimates["lhs"]) if fits else set())
    if "single_factor" in wanted:
        checks["single_factor"], fits["single_factor"] = _single_factor_check(
            frame, items, _free_name("G", taken), fits["measurement"], kw, notes)
    if "ulmc" in wanted:
        checks["ulmc"], fits["ulmc"] = _ulmc_check(frame, model, items, exogenous, _free_name("CMV", taken),
                                                   fits["measurement"], kw, method_loadings,
                                                   (delta_cfi_cut, delta_rmsea_cut), notes)
    if "marker" in wanted:
        variables = _scores(frame, groups) if groups else frame[items].astype("float64")
        checks["marker"] = _marker_check(variables, marker_col, marker_r, notes)
    for msg in notes:
        warn(f"common_method_bias: {msg}", EstimationWarning)
    return _result(checks, fits, items, frame.shape[0], notes,
                   {"estimator": estimator, "missing": missing, "method_loadings": method_loadings, "marker": marker,
                    "marker_r": marker_r, "harman_cut": harman_cut, "delta_cfi_cut": delta_cfi_cut,
                    "delta_rmsea_cut": delta_rmsea_cut})


def _result(checks: dict[str, _Check], fits: dict, items: list[str], n_obs: int, notes: list[str],
            options: dict) -> CommonMethodResult:
    """Gather the checks into the results object."""
    rows = {"measurement": _fit_row(fits["measurement"])} if {"single_factor", "ulmc"} & set(checks) else {}
    comps = {}
    for name, label in (("single_factor", "single_factor_vs_measurement"), ("ulmc", "measurement_vs_ulmc")):
        if name in checks:
            rows[name] = checks[name].frames["row"]
            comps[label] = checks[name].frames["comp"]
    model_fit = pd.DataFrame.from_dict(rows, orient="index").rename_axis("model") if rows else None
    comparisons = pd.DataFrame.from_dict(comps, orient="index").rename_axis("comparison") if comps else None
    frames = {k: v for c in checks.values() for k, v in c.frames.items() if k not in ("row", "comp")}
    return CommonMethodResult(
        harman=frames.get("harman"), model_fit=model_fit, comparisons=comparisons,
        method_variance=frames.get("method_variance"), marker=frames.get("marker"),
        marker_correlations=frames.get("marker_correlations"), r_m=frames.get("r_m", float("nan")), fits=fits,
        verdict="; ".join(c.verdict for c in checks.values()) + ".", flags={k: c.flag for k, c in checks.items()},
        items=items, n_obs=int(n_obs), options=options, warnings=notes,
    )
