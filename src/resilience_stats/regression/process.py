"""Conditional process analysis as in Hayes' PROCESS: moderation, mediation and moderated mediation by OLS.

:func:`process` estimates PROCESS models 1-8, 14, 15, 58 and 59 (equations in
:mod:`resilience_stats.regression._process_models`) on observed scores: the construct scores of a SurveyWave
(means of the answered, reverse-coded items) or any numeric columns of a DataFrame. Each consequent is one OLS
regression on the complete cases of all model variables (listwise deletion, as PROCESS); standard errors are
classical or heteroskedasticity-consistent (HC0-HC4, equal to R's ``sandwich::vcovHC``).

* Direct effects, simple slopes (conditional effects at moderator values) and Johnson-Neyman boundaries use
  the theory-based (t) inference of the equation holding the effect.
* Indirect effects are products of the path coefficients (conditional on W where a path is moderated); their
  intervals are percentile bootstrap intervals from ``boot`` case resamples, as PROCESS. The index of moderated
  mediation is the slope of a conditional indirect effect that is linear in W (models 7, 8, 14, 15); models 58
  and 59 have none (the effect is quadratic in W).
* The bootstrap re-solves every equation on every resample in batches (:mod:`._boot`); the draws depend only
  on ``seed``, never on ``n_jobs``.
* Moderators are probed at the 16th, 50th and 84th percentiles (R's ``quantile(type = 6)``), at the mean and
  +/- 1 SD, or at both values of a dichotomous moderator; values are always reported in the data's metric,
  also when ``center`` mean-centres the variables that form products.

Reference: Hayes, A. F. (2022). *Introduction to mediation, moderation, and conditional process analysis*
(3rd ed.). Guilford Press.
"""

from __future__ import annotations

import itertools
import numbers
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np
import pandas as pd

from ..errors import ModelSpecificationError
from ._boot import bootstrap_draws, percentile_ci
from ._conditional import jn_boundaries, linear_effect, moderators_of, probe_values, slope_weights
from ._data import model_frame
from ._ols import OLSFit, check_hc, coef_frame, design_moments, ols, solve_normal
from ._process_models import LINEAR_INDEX, Equation, ProcessSpec, build_spec

__all__ = ["ProcessResult", "process"]

CENTER = (None, "all", "xw")
JN_POINTS = 21  # moderator values of the Johnson-Neyman table between the minimum and the maximum (PROCESS)

_EFFECT_COLS = ["effect", "se", "t", "p", "ci_lower", "ci_upper"]
_BOOT_COLS = ["effect", "boot_se", "ci_lower", "ci_upper"]


# ============================================================================================ results


@dataclass
class ProcessResult:
    """A fitted PROCESS model.

    Frames (one row per estimate; empty with the documented columns when the model has none):

    * ``models``: one row per regression: equation, outcome, n, r, r2, adj_r2, mse, f, df1, df2, p (Wald F
      with an HC covariance). The total-effect regression of models 4 and 6 is the row "Y (total effect)".
    * ``paths``: every coefficient: equation, outcome, term ("constant", "X", "X:W", ...), coef, se, t, p,
      ci_lower, ci_upper, std_coef (``coef * SD(term) / SD(outcome)``, SPSS's Beta; NaN for the constant).
    * ``direct``: the direct effect of X on Y (mediation models): path, w (NaN unless moderated), effect, se,
      t, p, ci_lower, ci_upper.
    * ``total``: the total effect of X on Y (models 4 and 6): path, effect, se, t, p, ci_lower, ci_upper.
    * ``indirect``: unconditional indirect effects (models 4, 5, 6): path, effect, boot_se, ci_lower,
      ci_upper; a "total" row when there are several paths.
    * ``conditional_indirect``: path, w, effect, boot_se, ci_lower, ci_upper (models 7, 8, 14, 15, 58, 59).
    * ``index_moderated_mediation``: path, moderator, index, boot_se, ci_lower, ci_upper (models 7, 8, 14, 15).
    * ``simple_slopes``: conditional effects of every moderated path at the probe values: path, outcome,
      focal, w, z, effect, se, t, p, ci_lower, ci_upper (model 3 adds the conditional X:W interaction at Z).
    * ``johnson_neyman``: boundaries of significance of every path moderated by one non-dichotomous variable:
      path, outcome, focal, moderator, boundary, pct_below, pct_above, within_range (inside the data).
    * ``johnson_neyman_table``: the region table: path, moderator, value, effect, se, t, p, ci_lower,
      ci_upper, significant (21 values from the minimum to the maximum plus the boundaries).

    Other attributes: ``model``, ``x``, ``y``, ``m``, ``w``, ``z``, ``covariates``, ``n``, ``n_dropped``,
    ``boot`` (replicates asked), ``n_boot_failed``, ``seed``, ``level``, ``hc``, ``center`` and ``centered``
    ({variable: mean subtracted}), ``conditional_at``, ``w_values``, ``z_values``, ``boot_samples`` (the
    replicates of every bootstrapped quantity), ``fits`` ({equation: OLSFit}), ``spec``, ``warnings``.
    """

    n: int
    n_dropped: int
    boot: int
    seed: int
    level: float
    hc: str | None
    center: str | None
    centered: dict
    conditional_at: str
    w_values: np.ndarray | None
    z_values: np.ndarray | None
    models: pd.DataFrame
    paths: pd.DataFrame
    direct: pd.DataFrame
    total: pd.DataFrame
    indirect: pd.DataFrame
    conditional_indirect: pd.DataFrame
    index_moderated_mediation: pd.DataFrame
    simple_slopes: pd.DataFrame
    johnson_neyman: pd.DataFrame
    johnson_neyman_table: pd.DataFrame
    boot_samples: pd.DataFrame
    n_boot_failed: int
    fits: dict
    spec: ProcessSpec
    data: pd.DataFrame = field(repr=False)
    warnings: list = field(default_factory=list)

    # the model's roles, from its specification
    model = property(lambda self: self.spec.model, doc="PROCESS model number.")
    x = property(lambda self: self.spec.x, doc="Focal antecedent X.")
    y = property(lambda self: self.spec.y, doc="Outcome Y.")
    m = property(lambda self: self.spec.m, doc="Mediators (tuple).")
    w = property(lambda self: self.spec.w, doc="Moderator W (or None).")
    z = property(lambda self: self.spec.z, doc="Moderator Z (or None).")
    covariates = property(lambda self: self.spec.covariates, doc="Covariates (tuple).")

    def __repr__(self) -> str:
        med = f", m={list(self.m)}" if self.m else ""
        mod = "".join(f", {k}={v!r}" for k, v in (("w", self.w), ("z", self.z)) if v)
        return f"ProcessResult(model={self.model}, x={self.x!r}, y={self.y!r}{med}{mod}, n={self.n}, boot={self.boot})"

    def summary(self) -> str:
        """PROCESS-style text: each regression, then direct, indirect and conditional effects.

        Examples
        --------
        >>> print(rs.process(df, model=4, x="PBL", y="RES", m=["NET"], boot=1000).summary())  # doctest: +SKIP
        """
        from ._text import summary_text

        return summary_text(self)

    def probed_paths(self) -> list[str]:
        """Paths with a conditional effect of one variable (the ``path`` values :meth:`predictions` takes)."""
        single = self.simple_slopes[~self.simple_slopes["focal"].str.contains(":", regex=False)]
        return list(dict.fromkeys(single["path"]))

    def predictions(self, path: str | None = None, points: int = 50) -> pd.DataFrame:
        """Predicted values of a moderated path's outcome across its focal variable, one line per probe value
        of the moderator(s); the other predictors are held at their sample means.

        Parameters
        ----------
        path : str, optional
            One of :meth:`probed_paths` (default the first: X -> Y for models 1-3).
        points : int, default 50
            Values of the focal variable from its minimum to its maximum.

        Returns
        -------
        pandas.DataFrame
            Columns path, focal, value (of the focal variable), w, z, predicted.

        Examples
        --------
        >>> res.predictions().groupby("w")["predicted"].agg(["min", "max"])  # doctest: +SKIP
        """
        paths = self.probed_paths()
        if not paths:
            raise ModelSpecificationError(f"model {self.model} has no moderated path to plot")
        path = paths[0] if path is None else path
        if path not in paths:
            raise ModelSpecificationError(f"path {path!r} is not moderated; moderated paths: {', '.join(paths)}")
        rows = self.simple_slopes[self.simple_slopes["path"] == path]
        outcome, focal = rows["outcome"].iloc[0], rows["focal"].iloc[0]
        eq = self.spec.equation(outcome)
        fit = self.fits[outcome]
        grid = np.linspace(self.data[focal].min(), self.data[focal].max(), points)
        means = self.data.mean()
        out = []
        for w_val, z_val in rows[["w", "z"]].itertuples(index=False):
            values = {v: np.full(points, means[v]) for v in self.data.columns}
            values[focal] = grid
            for name, val in ((self.w, w_val), (self.z, z_val)):
                if name is not None and np.isfinite(val):
                    values[name] = np.full(points, val)
            cols = [np.ones(points)] + [np.prod([values[v] - self.centered.get(v, 0.0) for v in t], axis=0)
                                        for t in eq.terms]
            pred = np.column_stack(cols) @ fit.coef
            out.append(pd.DataFrame({"path": path, "focal": focal, "value": grid, "w": w_val, "z": z_val,
                                     "predicted": pred}))
        return pd.concat(out, ignore_index=True)

    def plot(self, kind: str = "both", path: str | None = None, lang: str = "en", **kwargs: Any):
        """Figure of the focal interaction and its Johnson-Neyman band (see
        :func:`resilience_stats.plots.process_plot`).

        Examples
        --------
        >>> fig = res.plot(kind="jn", lang="zh")  # doctest: +SKIP
        """
        from ..plots.process import process_plot

        return process_plot(self, kind=kind, path=path, lang=lang, **kwargs)

    def to_table(self, kind: str | None = None, *, lang: str = "en", style: str = "apa", **options: Any):
        """Publication table (PubTable): ``kind`` "paths" (default), "effects" (direct, indirect, conditional
        indirect, index of moderated mediation) or "slopes" (simple slopes and Johnson-Neyman boundaries).

        Examples
        --------
        >>> res.to_table("effects", lang="zh", style="three-line").to_docx("effects.docx")  # doctest: +SKIP
        """
        from ..tables.adapters import from_result

        return from_result(self, kind, lang=lang, style=style, **options)


# ============================================================================================ estimation


def _check_options(boot: Any, seed: Any, level: Any, center: Any, n_jobs: Any) -> None:
    if isinstance(boot, bool) or not isinstance(boot, numbers.Integral) or boot < 0:
        raise ModelSpecificationError(f"boot must be a whole number of resamples (0: none), not {boot!r}")
    if 0 < boot < 200:
        raise ModelSpecificationError(f"boot={boot} is too few for percentile intervals; use 0 or at least 200 "
                                      "(PROCESS: 5000)")
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ModelSpecificationError(f"seed must be a non-negative integer, not {seed!r}")
    if not isinstance(level, numbers.Real) or not 0.5 <= float(level) < 1:
        raise ModelSpecificationError(f"level must lie in [0.5, 1), not {level!r}")
    if center not in CENTER:
        raise ModelSpecificationError(f"center must be None, 'all' or 'xw', not {center!r}")
    if n_jobs is not None and (isinstance(n_jobs, bool) or not isinstance(n_jobs, numbers.Integral) or n_jobs == 0):
        raise ModelSpecificationError(f"n_jobs must be a non-zero integer or None, not {n_jobs!r}")


def _centered(spec: ProcessSpec, frame: pd.DataFrame, center: str | None) -> dict:
    if center is None:
        return {}
    names = spec.product_variables
    if center == "xw":
        names = [v for v in names if v in (spec.x, spec.w, spec.z)]
    return {v: float(frame[v].mean()) for v in names}


def _design(eq: Equation, work: pd.DataFrame) -> np.ndarray:
    cols = [np.ones(len(work))]
    for t in eq.terms:
        cols.append(np.prod(np.column_stack([work[v].to_numpy() for v in t]), axis=1))
    return np.column_stack(cols)


def _arrow(*nodes: str) -> str:
    return " -> ".join(nodes)


@dataclass(frozen=True)
class _Quantity:
    """One bootstrapped quantity: its labels (a row of a frame) and its value from the coefficients."""

    frame: str
    row: dict
    fn: Callable[[dict], np.ndarray]


class _Engine:
    """The fitted equations of one model, and the effects built from their coefficients."""

    def __init__(self, spec: ProcessSpec, frame: pd.DataFrame, centered: dict, hc: str | None, level: float):
        self.spec, self.frame, self.centered, self.level = spec, frame, centered, level
        work = frame.copy()
        for v, mu in centered.items():
            work[v] = work[v] - mu
        self.work = work
        self.designs = {eq.outcome: _design(eq, work) for eq in spec.equations}
        self.fits: dict[str, OLSFit] = {
            eq.outcome: ols(self.designs[eq.outcome], work[eq.outcome].to_numpy(), eq.names, hc=hc)
            for eq in spec.equations}
        self.total_fit = None
        if spec.total is not None:
            self.total_fit = ols(_design(spec.total, work), work[spec.y].to_numpy(), spec.total.names, hc=hc)

    # -- values -----------------------------------------------------------------------------------------------
    def internal(self, values: dict) -> dict:
        """Moderator values in the data's metric -> the (possibly centred) metric of the design."""
        return {v: val - self.centered.get(v, 0.0) for v, val in values.items()}

    def slope(self, outcome: str, focal: Sequence[str], values: dict) -> np.ndarray:
        return slope_weights(self.spec.equation(outcome).terms, focal, self.internal(values))

    def effect(self, outcome: str, focal: Sequence[str], values: dict) -> dict:
        fit = self.fits[outcome]
        return linear_effect(self.slope(outcome, focal, values), fit.coef, fit.vcov, fit.df_resid, self.level)

    def chain(self, coefs: dict, chain: tuple, values: dict) -> np.ndarray:
        """Indirect effect along ``chain`` (X, M..., Y) for each row of the coefficient arrays."""
        out = 1.0
        for prev, node in zip(chain[:-1], chain[1:]):
            out = out * (coefs[node] @ self.slope(node, [prev], values))
        return out

    def point(self) -> dict:
        return {o: f.coef[None, :] for o, f in self.fits.items()}


def _std_coef(X: np.ndarray, y: np.ndarray, coef: np.ndarray) -> np.ndarray:
    sd = X.std(axis=0, ddof=1)
    out = coef * sd / y.std(ddof=1)
    out[0] = np.nan
    return out


def _regression_frames(eng: _Engine, level: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    model_rows, path_rows = [], []
    eqs = list(eng.spec.equations) + ([eng.spec.total] if eng.spec.total is not None else [])
    for eq in eqs:
        fit = eng.total_fit if eq is eng.spec.total else eng.fits[eq.outcome]
        X = _design(eq, eng.work)
        y = eng.work[eq.outcome].to_numpy()
        model_rows.append({"equation": eq.label, "outcome": eq.outcome, "n": fit.n, "r": float(np.sqrt(fit.r2)),
                           "r2": fit.r2, "adj_r2": fit.adj_r2, "mse": fit.mse, "f": fit.f, "df1": fit.df1,
                           "df2": fit.df2, "p": fit.f_p})
        cf = coef_frame(fit, level)
        cf.insert(0, "outcome", eq.outcome)
        cf.insert(0, "equation", eq.label)
        cf["std_coef"] = _std_coef(X, y, fit.coef)
        path_rows.append(cf)
    return pd.DataFrame(model_rows), pd.concat(path_rows, ignore_index=True)


def _probe_grid(spec: ProcessSpec, wv, zv, mods: list[str]) -> list[dict]:
    axes = [[(spec.w, v) for v in wv] if mod == spec.w else [(spec.z, v) for v in zv] for mod in mods]
    return [dict(combo) for combo in itertools.product(*axes)]


def _focal_sets(spec: ProcessSpec) -> list[tuple]:
    sets = [(spec.x,)] + [(mi,) for mi in spec.m]
    if spec.model == 3:
        sets.append((spec.x, spec.w))
    return sets


def _slopes_and_jn(eng: _Engine, wv, zv) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    spec, level = eng.spec, eng.level
    slopes, bounds, table = [], [], []
    for eq in spec.equations:
        fit = eng.fits[eq.outcome]
        for focal in _focal_sets(spec):
            if not any(set(focal) <= set(t) for t in eq.terms):
                continue
            mods = moderators_of(eq.terms, focal)
            if not mods:
                continue
            label = _arrow(":".join(focal), eq.outcome)
            for vals in _probe_grid(spec, wv, zv, mods):
                row = {"path": label, "outcome": eq.outcome, "focal": ":".join(focal),
                       "w": vals.get(spec.w, np.nan) if spec.w else np.nan,
                       "z": vals.get(spec.z, np.nan) if spec.z else np.nan}
                slopes.append({**row, **eng.effect(eq.outcome, focal, vals)})
            if len(mods) != 1 or eng.frame[mods[0]].nunique() < 3:
                continue  # Johnson-Neyman needs one moderator that is not dichotomous
            mod = mods[0]
            shift = eng.centered.get(mod, 0.0)
            g0 = eng.slope(eq.outcome, focal, {mod: shift})  # the moderator at 0 in the design's metric
            g1 = eng.slope(eq.outcome, focal, {mod: shift + 1.0}) - g0
            roots = jn_boundaries(g0, g1, fit.coef, fit.vcov, fit.df_resid, level) + shift
            observed = eng.frame[mod].to_numpy()
            lo, hi = observed.min(), observed.max()
            for r in roots:
                bounds.append({"path": label, "outcome": eq.outcome, "focal": ":".join(focal), "moderator": mod,
                               "boundary": float(r), "pct_below": 100.0 * float(np.mean(observed < r)),
                               "pct_above": 100.0 * float(np.mean(observed > r)),
                               "within_range": bool(lo <= r <= hi)})
            grid = np.unique(np.concatenate([np.linspace(lo, hi, JN_POINTS), roots[(roots >= lo) & (roots <= hi)]]))
            for v in grid:
                e = eng.effect(eq.outcome, focal, {mod: float(v)})
                table.append({"path": label, "moderator": mod, "value": float(v), **e,
                              "significant": bool(e["p"] < 1 - level)})
    return (pd.DataFrame(slopes, columns=["path", "outcome", "focal", "w", "z", *_EFFECT_COLS]),
            pd.DataFrame(bounds, columns=["path", "outcome", "focal", "moderator", "boundary", "pct_below",
                                          "pct_above", "within_range"]),
            pd.DataFrame(table, columns=["path", "moderator", "value", *_EFFECT_COLS, "significant"]))


def _direct_total(eng: _Engine, wv) -> tuple[pd.DataFrame, pd.DataFrame]:
    spec = eng.spec
    direct, total = [], []
    if spec.is_mediation:
        label = _arrow(spec.x, spec.y)
        y_eq = spec.equation(spec.y)
        if moderators_of(y_eq.terms, [spec.x]):
            for v in wv:
                direct.append({"path": label, "w": float(v), **eng.effect(spec.y, [spec.x], {spec.w: float(v)})})
        else:
            direct.append({"path": label, "w": np.nan, **eng.effect(spec.y, [spec.x], {})})
    if eng.total_fit is not None:
        fit = eng.total_fit
        g = slope_weights(spec.total.terms, [spec.x], {})
        total.append({"path": _arrow(spec.x, spec.y),
                      **linear_effect(g, fit.coef, fit.vcov, fit.df_resid, eng.level)})
    return (pd.DataFrame(direct, columns=["path", "w", *_EFFECT_COLS]),
            pd.DataFrame(total, columns=["path", *_EFFECT_COLS]))


def _quantities(eng: _Engine, wv) -> list[_Quantity]:
    """Every bootstrapped quantity of the model, as functions of the coefficient arrays."""
    spec = eng.spec
    out: list[_Quantity] = []
    moderated = spec.w is not None and any(
        moderators_of(spec.equation(node).terms, [prev])
        for chain in spec.chains for prev, node in zip(chain[:-1], chain[1:]))
    if not spec.chains:
        return out
    if not moderated:
        for chain in spec.chains:
            out.append(_Quantity("indirect", {"path": _arrow(*chain)},
                                 lambda c, ch=chain: eng.chain(c, ch, {})))
        if len(spec.chains) > 1:
            out.append(_Quantity("indirect", {"path": "total"},
                                 lambda c: sum(eng.chain(c, ch, {}) for ch in spec.chains)))
        return out
    for chain in spec.chains:
        for v in wv:
            out.append(_Quantity("conditional_indirect", {"path": _arrow(*chain), "w": float(v)},
                                 lambda c, ch=chain, v=float(v): eng.chain(c, ch, {spec.w: v})))
    if spec.model in LINEAR_INDEX:
        for chain in spec.chains:
            def index(c, ch=chain):
                at0 = eng.chain(c, ch, {spec.w: eng.centered.get(spec.w, 0.0)})
                at1 = eng.chain(c, ch, {spec.w: eng.centered.get(spec.w, 0.0) + 1.0})
                return at1 - at0

            out.append(_Quantity("index_moderated_mediation", {"path": _arrow(*chain), "moderator": spec.w}, index))
    return out


def _bootstrap(eng: _Engine, quantities: list[_Quantity], boot: int, seed: int, n_jobs) -> np.ndarray:
    outcomes = [eq.outcome for eq in eng.spec.equations]
    moments = {o: design_moments(eng.designs[o], eng.work[o].to_numpy()) for o in outcomes}
    stacked = np.hstack([np.hstack(moments[o][:2]) for o in outcomes])  # one matrix product per chunk
    bounds = np.cumsum([0] + [moments[o][0].shape[1] + moments[o][1].shape[1] for o in outcomes])

    def statistic(weights: np.ndarray) -> np.ndarray:
        prod = weights @ stacked
        coefs = {}
        for o, a, b in zip(outcomes, bounds[:-1], bounds[1:]):
            kk = moments[o][0].shape[1]
            coefs[o] = solve_normal(prod[:, a:a + kk], prod[:, a + kk:b], *moments[o][2:])
        return np.column_stack([np.broadcast_to(q.fn(coefs), (weights.shape[0],)) for q in quantities])

    return bootstrap_draws(statistic, len(eng.frame), boot, seed, n_jobs)


def _effect_frames(quantities: list[_Quantity], est: np.ndarray, draws: np.ndarray | None,
                   level: float) -> dict[str, pd.DataFrame]:
    cols = {"indirect": ["path", *_BOOT_COLS],
            "conditional_indirect": ["path", "w", *_BOOT_COLS],
            "index_moderated_mediation": ["path", "moderator", "index", "boot_se", "ci_lower", "ci_upper"]}
    if draws is not None and draws.shape[0]:
        lo, hi = percentile_ci(draws, level)
        with np.errstate(invalid="ignore"):
            se = np.nanstd(draws, axis=0, ddof=1)
    else:
        lo = hi = se = np.full(len(quantities), np.nan)
    rows: dict[str, list] = {k: [] for k in cols}
    for j, q in enumerate(quantities):
        key = "index" if q.frame == "index_moderated_mediation" else "effect"
        rows[q.frame].append({**q.row, key: float(est[j]), "boot_se": float(se[j]), "ci_lower": float(lo[j]),
                              "ci_upper": float(hi[j])})
    return {k: pd.DataFrame(rows[k], columns=cols[k]) for k in cols}


def process(
    data: Any,
    model: int,
    x: str,
    y: str,
    m: str | Sequence[str] | None = None,
    w: str | None = None,
    z: str | None = None,
    covariates: str | Sequence[str] | None = None,
    center: str | None = None,
    boot: int = 5000,
    seed: int = 0,
    level: float = 0.95,
    hc: str | None = None,
    n_jobs: int | None = 1,
    conditional_at: str = "percentiles",
    w_values: Sequence[float] | None = None,
    z_values: Sequence[float] | None = None,
) -> ProcessResult:
    """Estimate a PROCESS model (Hayes) by OLS with percentile bootstrap intervals of the indirect effects.

    Parameters
    ----------
    data : SurveyWave or pandas.DataFrame
        A SurveyWave's construct scores (``wave.scores()``: mean of the answered items) and its other columns
        (demographics), or the numeric columns of a DataFrame. The input is not modified.
    model : {1, 2, 3, 4, 5, 6, 7, 8, 14, 15, 58, 59}
        PROCESS model number (1-3 moderation; 4 parallel and 6 serial mediation; 5, 7, 8, 14, 15, 58, 59
        moderated mediation with moderator W).
    x, y : str
        Focal antecedent and outcome.
    m : str or list of str, optional
        Mediator(s): parallel for models 4, 5, 7, 8, 14, 15, 58, 59; in causal order for model 6 (2-6).
    w, z : str, optional
        Moderators (``z`` only for models 2 and 3).
    covariates : str or list of str, optional
        Entered in every equation.
    center : {None, "all", "xw"}
        Mean-centre the variables that form products ("all": every one, PROCESS's ``center=1``; "xw": only X,
        W and Z, not mediators). Changes lower-order coefficients only; effects are reported at moderator
        values in the data's metric.
    boot : int, default 5000
        Bootstrap resamples for the indirect effects (0: no bootstrap; otherwise at least 200).
    seed : int, default 0
    level : float, default 0.95
        Confidence level of every interval and of the Johnson-Neyman boundaries.
    hc : {None, "HC0", "HC1", "HC2", "HC3", "HC4"}
        Heteroskedasticity-consistent standard errors (``sandwich::vcovHC``) for coefficients, conditional
        effects and Johnson-Neyman boundaries; the bootstrap is unaffected.
    n_jobs : int or None, default 1
        Threads for the bootstrap chunks (the results do not depend on it).
    conditional_at : {"percentiles", "meansd"}
        Probe values of W and Z: 16th/50th/84th percentiles, or mean and +/- 1 SD (a dichotomous moderator
        is probed at its two values).
    w_values, z_values : sequence of float, optional
        Explicit probe values (override ``conditional_at``).

    Returns
    -------
    ProcessResult
        Frames ``models``, ``paths``, ``direct``, ``total``, ``indirect``, ``conditional_indirect``,
        ``index_moderated_mediation``, ``simple_slopes``, ``johnson_neyman``, ``johnson_neyman_table``;
        ``.summary()``, ``.plot()``, ``.to_table()``.

    Raises
    ------
    ModelSpecificationError
        Unknown model, missing or superfluous roles, a variable in two roles, bad options, collinear terms.
    DataError
        Unknown or non-numeric variables, a variable that does not vary, too few complete cases.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> df = pd.DataFrame({"PBL": rng.normal(size=200)})
    >>> df["NET"] = 0.5 * df["PBL"] + rng.normal(size=200)
    >>> df["RES"] = 0.2 * df["PBL"] + 0.4 * df["NET"] + rng.normal(size=200)
    >>> res = process(df, model=4, x="PBL", y="RES", m="NET", boot=1000, seed=1)
    >>> res.indirect[["path", "effect"]].round(3).to_dict("records")
    [{'path': 'PBL -> NET -> RES', 'effect': 0.093}]
    >>> bool(res.indirect["ci_lower"].iloc[0] > 0)
    True
    """
    spec = build_spec(model, x, y, m=m, w=w, z=z, covariates=covariates)
    _check_options(boot, seed, level, center, n_jobs)
    hc = check_hc(hc)
    level = float(level)
    frame, dropped = model_frame(data, spec.variables, what=f"PROCESS model {spec.model}")
    centered = _centered(spec, frame, center)
    eng = _Engine(spec, frame, centered, hc, level)
    wv = probe_values(frame[spec.w], conditional_at, w_values, spec.w) if spec.w else None
    zv = probe_values(frame[spec.z], conditional_at, z_values, spec.z) if spec.z else None
    models_df, paths_df = _regression_frames(eng, level)
    slopes, jn, jn_table = _slopes_and_jn(eng, wv, zv)
    direct, total = _direct_total(eng, wv)
    quantities = _quantities(eng, wv)
    est = np.array([float(np.asarray(q.fn(eng.point())).reshape(-1)[0]) for q in quantities])
    draws = _bootstrap(eng, quantities, int(boot), int(seed), n_jobs) if quantities and boot else None
    effects = _effect_frames(quantities, est, draws, level)
    warnings_: list[str] = []
    n_failed = 0
    if draws is not None:
        n_failed = int((~np.isfinite(draws)).any(axis=1).sum())
        if n_failed:
            warnings_.append(f"{n_failed} of {boot} bootstrap resamples had a singular design and were left out")
    if quantities and not boot:
        warnings_.append("boot=0: the indirect effects have no confidence intervals")
    names = [_sample_label(q) for q in quantities]
    samples = pd.DataFrame(draws if draws is not None else np.empty((0, len(quantities))), columns=names)
    return ProcessResult(
        n=len(frame), n_dropped=dropped, boot=int(boot), seed=int(seed), level=level, hc=hc, center=center,
        centered=centered, conditional_at=conditional_at, w_values=wv, z_values=zv, models=models_df,
        paths=paths_df, direct=direct, total=total, indirect=effects["indirect"],
        conditional_indirect=effects["conditional_indirect"],
        index_moderated_mediation=effects["index_moderated_mediation"], simple_slopes=slopes,
        johnson_neyman=jn, johnson_neyman_table=jn_table, boot_samples=samples, n_boot_failed=n_failed,
        fits={**eng.fits, **({spec.total.label: eng.total_fit} if eng.total_fit is not None else {})},
        spec=spec, data=frame, warnings=warnings_)


def _sample_label(q: _Quantity) -> str:
    if q.frame == "conditional_indirect":
        return f"{q.row['path']} | w={q.row['w']:.6g}"
    if q.frame == "index_moderated_mediation":
        return f"index: {q.row['path']}"
    return q.row["path"]
