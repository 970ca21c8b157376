"""Data from a population structural equation model written in lavaan syntax (as lavaan's ``simulateData``).

The numbers in the syntax are the population values. The model is read with the package's own lavaan
parser (:func:`resilience_stats.sem.parse_model`) and turned into RAM matrices (``A`` directed effects,
``S`` (residual) variances and covariances, ``m`` intercepts; :mod:`resilience_stats.sem.model`). Rules for
what the syntax leaves open, following ``simulateData(std.lv = TRUE, auto.fix.first = FALSE)``:

* unspecified loadings, regressions, covariances and intercepts are 0 (a warning names the loadings and
  regressions, which are usually meant to carry a value);
* unspecified (residual) variances:

  - ``standardized=True`` (default): exogenous variables get variance 1 and every endogenous variable
    (latent or observed) gets the residual variance that makes its total variance 1, so that the loadings
    and paths in the syntax are standardized coefficients (lavaan's ``simulateData(standardized = TRUE)``);
    a covariance written between two variables whose variances are set this way is read as the
    *correlation* of their (residual) terms;
  - ``standardized=False``: they are 1 (raw metric).

Options layered on the continuous draw (applied in this order): groups (non-invariance), clusters
(a community random intercept), ordinal cutting (Likert items), missingness (MCAR and/or MAR).

**Two-level population models** (residents nested in communities) are written with ``level: 1`` (or
``level: within``) and ``level: 2`` (``level: between``) blocks, as for :func:`resilience_stats.sem` with
``cluster=``. A resident's score is ``y = y_W + y_B``: the level-1 model gives the within-cluster part ``y_W ~
N(0, Sigma_W)``, drawn per resident, and the level-2 model the cluster part ``y_B ~ N(mu, Sigma_B)``, drawn
once per cluster. Observed variables written at both levels are *split* variables; a variable written only at
level 1 is *within-only* (no cluster part, ICC 0); one written only at level 2 is *between-only* (a
community-level variable such as a community's party-building score: constant within a cluster, ICC 1).
Intercepts (means) belong to level 2. The same value rules apply within each level:

* ``standardized=True``: each level is standardized *in its own metric* -- unspecified residual variances
  make every variable's within-level variance 1 at level 1 and its between-level variance 1 at level 2, so the
  written loadings and paths are within-level and between-level standardized coefficients (Mplus' STDYX per
  level). The stated ``icc`` of each split variable then sets the two scales: ``y = sqrt(1 - icc) y_W* +
  sqrt(icc) y_B*``, so that its total variance is 1 and its ICC is ``icc`` (when its level variances are 1;
  variances written in the syntax change both -- :attr:`TwoLevelPopulation.icc` gives the exact values).
  Between-only and within-only variables keep variance 1; intercepts are written in the data metric.
* ``standardized=False``: the values are raw: ``Sigma_W`` and ``Sigma_B`` are the two levels' implied
  covariances as written, unspecified residual variances 1 (the ICC follows from them; no ``icc``).

The population values (:func:`population_values`) are those of the *data metric*, what a two-level fit of the
population's own model estimates: e.g. a level-1 loading 0.8 of an item with ICC 0.2 is 0.8 x sqrt(0.8) =
0.716 there (the column ``std_value`` keeps the within-level standardized 0.8).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field, replace
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from .errors import ModelSpecificationError, ResilienceStatsWarning

__all__ = ["Population", "TwoLevelPopulation", "population", "population_values", "simulate",
           "default_thresholds"]

_SOLVE_TOL = 1e-12
_SOLVE_MAX_ITER = 500


# --------------------------------------------------------------------------------------------- population


@dataclass(frozen=True)
class Population:
    """A population model in RAM form: the truth behind :func:`simulate` and :func:`resilience_stats.power`.

    Attributes
    ----------
    syntax : str
        The lavaan syntax it was built from.
    ov, lv : list of str
        Observed and latent variable names (observed first in the RAM variable order).
    A, S : numpy.ndarray
        Directed effects (``A[i, j]``: effect of variable j on variable i) and (residual) covariances.
    m : numpy.ndarray
        Intercepts (latent means of exogenous latent variables).
    values : pandas.DataFrame
        One row per parameter (lhs, op, rhs, label, value, user): every value after the rules of the module
        docstring, including solved residual variances and the ``:=`` parameters evaluated at them.
    standardized : bool
    """

    syntax: str
    ov: list[str]
    lv: list[str]
    A: np.ndarray
    S: np.ndarray
    m: np.ndarray
    values: pd.DataFrame
    standardized: bool
    _index: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def names(self) -> list[str]:
        return self.ov + self.lv

    def covariance(self, A: np.ndarray | None = None, S: np.ndarray | None = None) -> np.ndarray:
        """Implied covariance of all variables (observed, then latent)."""
        B = _inverse_i_minus(self.A if A is None else A)
        return B @ (self.S if S is None else S) @ B.T

    def mean(self, A: np.ndarray | None = None, m: np.ndarray | None = None) -> np.ndarray:
        """Implied mean of all variables (observed, then latent)."""
        return _inverse_i_minus(self.A if A is None else A) @ (self.m if m is None else m)

    @property
    def implied_cov(self) -> pd.DataFrame:
        """Implied covariance matrix of the observed variables."""
        p = len(self.ov)
        return pd.DataFrame(self.covariance()[:p, :p], index=self.ov, columns=self.ov)


def _inverse_i_minus(A: np.ndarray) -> np.ndarray:
    try:
        return np.linalg.inv(np.eye(len(A)) - A)
    except np.linalg.LinAlgError as exc:
        raise ModelSpecificationError("the population model has a non-recursive loop with unit effects") from exc


def population(model: str | Population | TwoLevelPopulation, standardized: bool = True, *,
               icc: float | Mapping[str, float] | None = None) -> Population | TwoLevelPopulation:
    """Parse a population model (fixed values = population values) and fill in what the syntax leaves open.

    Parameters
    ----------
    model : str, Population or TwoLevelPopulation
        lavaan syntax with fixed values (``F =~ 0.8*x1 + 0.7*x2``, ``Y ~ 0.3*F``, ``a := ...``); with
        ``level: 1`` / ``level: 2`` blocks a two-level population (see the module docstring).
    standardized : bool, default True
        Solve unspecified residual variances so that all variables have variance 1 (per level in a two-level
        model; see the module docstring); otherwise they are 1.
    icc : float or dict, optional
        Two-level models with ``standardized=True`` only (required there when a variable appears at both
        levels): the intraclass correlation of every such variable, or ``{variable: icc}`` for each of them.

    Returns
    -------
    Population or TwoLevelPopulation

    Raises
    ------
    ModelSpecificationError
        Thresholds or groups in the syntax, a variance share of 100 % or more, intercepts at level 1, a name
        that is latent at one level and observed at the other.
    ValueError
        ``icc`` missing, out of (0, 1), naming variables that are not at both levels, or given for a
        single-level or raw-metric model.

    Examples
    --------
    >>> pop = population("F =~ 0.8*x1 + 0.6*x2 + 0.7*x3\\nY ~ 0.5*F")
    >>> v = pop.values.set_index(["lhs", "op", "rhs"])["value"]
    >>> round(float(v[("x1", "~~", "x1")]), 2), round(float(v[("Y", "~~", "Y")]), 2)
    (0.36, 0.75)
    >>> np.round(np.diag(pop.implied_cov), 6).tolist()
    [1.0, 1.0, 1.0, 1.0]
    >>> two = population("level: 1\\nFw =~ 0.8*y1 + 0.7*y2 + 0.7*y3\\nlevel: 2\\nFb =~ 0.9*y1 + 0.9*y2 + 0.9*y3\\n"
    ...                  "Fb ~ 0.4*w", icc=0.2)
    >>> two.icc.round(3).to_dict()
    {'y1': 0.2, 'y2': 0.2, 'y3': 0.2, 'w': 1.0}
    >>> round(float(two.values.query("level == 2 and op == '=~' and rhs == 'y1'")["value"].iloc[0]), 4)
    0.4025
    """
    if isinstance(model, (Population, TwoLevelPopulation)):
        if icc is not None:
            raise ValueError("icc= cannot change a population that is already built; pass the syntax instead")
        return model
    from .sem.syntax import parse_model

    pm = parse_model(model)
    if any(f.level for f in pm.formulas):
        return _two_level_population(pm, str(model), bool(standardized), icc)
    if icc is not None:
        raise ValueError("icc= belongs to two-level population models (level: 1 / level: 2 blocks); a single-level "
                         "model takes clusters={'k': ..., 'icc': ...} in simulate()")
    pop = _level_population(pm, str(model), bool(standardized))
    values = _with_definitions(pop.values, pm.definitions, ("value",))
    return Population(pop.syntax, pop.ov, pop.lv, pop.A, pop.S, pop.m, values, pop.standardized)


def _level_population(pm, syntax: str, standardized: bool) -> Population:
    """The population of one single-level parsed model (no ``:=`` rows)."""
    from .sem.model import build_models, model_variable_names
    from .sem.syntax import build_partable

    pt = build_partable(pm, auto_fix_first=False, meanstructure=True, fixed_x=False)
    if (pt["op"] == "|").any():
        raise ModelSpecificationError("thresholds (|) are not part of a population model; pass ordinal= instead")
    if int(pt["group"].max()) > 1:
        raise ModelSpecificationError("a population model has one group; use groups= for group differences")
    pt = pt[pt["op"] != ":="].reset_index(drop=True)
    ov, lv = model_variable_names(pt)
    names = ov + lv
    idx = {v: i for i, v in enumerate(names)}
    lhs, op, rhs = (pt[c].to_numpy(dtype=object) for c in ("lhs", "op", "rhs"))
    value = pt["ustart"].to_numpy(dtype=float).copy()
    unset = np.isnan(value)
    is_var = (op == "~~") & (lhs == rhs)
    open_coef = [f"{l} {o} {r}" for l, o, r, u in zip(lhs, op, rhs, unset) if u and o in ("=~", "~")]
    if open_coef:
        warnings.warn("population model: no value given for " + ", ".join(open_coef) + "; set to 0",
                      ResilienceStatsWarning, stacklevel=3)
    value[unset & ~is_var] = 0.0
    value[unset & is_var] = 1.0
    solved = [idx[v] for v in lhs[unset & is_var]]

    fixed = pt.copy()
    fixed["free"] = 0
    fixed["ustart"] = value
    mod = build_models(fixed, ov_order=ov)[0]
    A, S, m = mod.matrices(np.zeros(0))
    if standardized:
        endo = np.flatnonzero(np.abs(A).sum(axis=1) > 0)
        solve = np.array(sorted(set(solved) & set(endo.tolist())), dtype=int)
        corr_rows = [(idx[l], idx[r]) for l, o, r, u in zip(lhs, op, rhs, unset)
                     if o == "~~" and l != r and not u and (idx[l] in solved or idx[r] in solved)]
        S = _solve_standardized(A, S, solve, corr_rows)
        for k in np.flatnonzero(op == "~~"):
            value[k] = S[idx[lhs[k]], idx[rhs[k]]]
    values = pd.DataFrame({"lhs": lhs, "op": op, "rhs": rhs, "label": pt["label"].to_numpy(dtype=object),
                           "value": value, "user": pt["user"].to_numpy(dtype=int)})
    return Population(syntax, ov, lv, A, S, m, values, bool(standardized))


def _with_definitions(values: pd.DataFrame, definitions, columns: Sequence[str]) -> pd.DataFrame:
    """``values`` with one ``:=`` row per definition, evaluated at the labelled values of each column."""
    from .sem.syntax import eval_expression

    if not definitions:
        return values
    spaces = {c: {lab: v for lab, v in zip(values["label"], values[c]) if lab} for c in columns}
    defs = []
    for name, tree, text, _line in definitions:
        row = {"lhs": name, "op": ":=", "rhs": text.replace(" ", ""), "label": name, "user": 1}
        if "level" in values.columns:
            row["level"] = 0
        for c, ns in spaces.items():
            try:
                ns[name] = eval_expression(tree, ns)
            except Exception:  # unknown label: the truth of this defined parameter is unknown
                ns[name] = float("nan")
            row[c] = ns[name]
        defs.append(row)
    return pd.concat([values, pd.DataFrame(defs)[list(values.columns)]], ignore_index=True)


# --------------------------------------------------------------------------------------------- two levels


@dataclass(frozen=True)
class TwoLevelPopulation:
    """A two-level population model: residents (level 1) nested in clusters such as communities (level 2).

    Both levels are held in the metric of the data (see the module docstring): the observed scores are
    ``y = y_W + y_B`` with ``y_W ~ N(0, Sigma_W)`` per respondent and ``y_B ~ N(mu, Sigma_B)`` per cluster.

    Attributes
    ----------
    syntax : str
    within, between : Population
        Level 1 and level 2 as single-level populations in the data metric (their ``values`` carry
        ``std_value``, the value standardized within the level).
    ov : list of str
        Observed variables in the order of the simulated columns (level-1 variables, then between-only ones).
    split, within_only, between_only : list of str
        Observed variables at both levels, at level 1 only (no between part, ICC 0), at level 2 only (constant
        within a cluster, ICC 1).
    icc_given : dict
        The ICC stated for each split variable (empty for ``standardized=False``).
    values : pandas.DataFrame
        lhs, op, rhs, level (1 within, 2 between, 0 for ``:=``), label, value (data metric: what a two-level
        fit of the population's own model estimates), std_value (standardized within its level), user.
    standardized : bool
    """

    syntax: str
    within: Population
    between: Population
    ov: list[str]
    split: list[str]
    within_only: list[str]
    between_only: list[str]
    icc_given: dict
    values: pd.DataFrame
    standardized: bool

    def _level_cov(self, pop: Population) -> pd.DataFrame:
        p = len(pop.ov)
        cov = pd.DataFrame(pop.covariance()[:p, :p], index=pop.ov, columns=pop.ov)
        return cov.reindex(index=self.ov, columns=self.ov, fill_value=0.0)

    @property
    def sigma_within(self) -> pd.DataFrame:
        """Sigma_W over all observed variables (rows and columns of between-only variables are 0)."""
        return self._level_cov(self.within)

    @property
    def sigma_between(self) -> pd.DataFrame:
        """Sigma_B over all observed variables (rows and columns of within-only variables are 0)."""
        return self._level_cov(self.between)

    @property
    def implied_cov(self) -> pd.DataFrame:
        """Total covariance Sigma_W + Sigma_B of the observed variables."""
        return self.sigma_within + self.sigma_between

    @property
    def implied_mean(self) -> pd.Series:
        """Population means of the observed variables (level-2 intercepts; level 1 has mean 0)."""
        p = len(self.between.ov)
        mu = pd.Series(self.between.mean()[:p], index=self.between.ov)
        return mu.reindex(self.ov, fill_value=0.0)

    @property
    def icc(self) -> pd.Series:
        """ICC of every observed variable: diag(Sigma_B) / diag(Sigma_W + Sigma_B)."""
        b, t = np.diag(self.sigma_between), np.diag(self.implied_cov)
        with np.errstate(invalid="ignore", divide="ignore"):
            return pd.Series(np.where(t > 0, b / t, np.nan), index=self.ov, name="icc")


def _icc_per_variable(icc, split: list[str], standardized: bool) -> dict[str, float]:
    if not standardized:
        if icc is not None:
            raise ValueError("icc= sets the level scales of a standardized population; with standardized=False "
                             "the ICC follows from the level-1 and level-2 variances written in the syntax")
        return {}
    if not split:
        return {}
    if icc is None:
        raise ValueError("a standardized two-level population needs the ICC of the variables measured at both "
                         f"levels ({', '.join(split)}): icc=0.1 (community surveys: often 0.05-0.25), or "
                         "{variable: icc}")
    if isinstance(icc, Mapping):
        unknown = [v for v in icc if v not in split]
        if unknown:
            raise ValueError(f"icc: {', '.join(map(str, unknown))} not measured at both levels; give the ICC of "
                             f"{', '.join(split)}")
        lacking = [v for v in split if v not in icc]
        if lacking:
            raise ValueError(f"icc: no value for {', '.join(lacking)}")
        out = {v: float(icc[v]) for v in split}
    else:
        out = {v: float(icc) for v in split}
    bad = [f"{v}={x:g}" for v, x in out.items() if not 0 < x < 1]
    if bad:
        raise ValueError(f"icc must lie strictly between 0 and 1 ({', '.join(bad)})")
    return out


def _rescaled(pop: Population, scale: dict[str, float], level: int) -> Population:
    """``pop`` with each variable v multiplied by ``scale[v]`` (A -> D A D^-1, S -> D S D; intercepts are
    written in the data metric and stay), plus ``std_value`` and the ``level`` column."""
    names = pop.names
    d = np.array([scale.get(v, 1.0) for v in names])
    A = pop.A * d[:, None] / d[None, :]
    S = pop.S * np.outer(d, d)
    idx = {v: i for i, v in enumerate(names)}
    sd = np.sqrt(np.clip(np.diag(pop.covariance(A, S)), 0.0, None))
    value, std = [], []
    for l, o, r, v in zip(pop.values["lhs"], pop.values["op"], pop.values["rhs"], pop.values["value"]):
        i, j = idx[l], idx.get(r)
        if o == "=~":
            factor, std_factor = d[j] / d[i], sd[i] / sd[j] if sd[j] > 0 else np.nan
        elif o == "~":
            factor, std_factor = d[i] / d[j], sd[j] / sd[i] if sd[i] > 0 else np.nan
        elif o == "~~":
            factor, std_factor = d[i] * d[j], 1 / (sd[i] * sd[j]) if sd[i] * sd[j] > 0 else np.nan
        else:  # ~1
            factor, std_factor = 1.0, 1 / sd[i] if sd[i] > 0 else np.nan
        value.append(v * factor)
        std.append(v * factor * std_factor)
    values = pop.values.assign(value=value, std_value=std, level=level)
    values = values[["lhs", "op", "rhs", "level", "label", "value", "std_value", "user"]]
    return Population(pop.syntax, pop.ov, pop.lv, A, S, pop.m, values, pop.standardized)


def _two_level_population(pm, syntax: str, standardized: bool, icc) -> TwoLevelPopulation:
    from .sem.syntax import ParsedModel

    levels = []
    for lev in (1, 2):
        sub = ParsedModel([replace(f, level=0) for f in pm.formulas if f.level == lev], [], [])
        levels.append(_level_population(sub, syntax, standardized))
    w, b = levels
    written = w.values[(w.values["op"] == "~1") & (w.values["user"] == 1)]
    if len(written):
        raise ModelSpecificationError(
            "intercepts (means) of a two-level population belong to the level-2 block (level 1 has mean 0): "
            + ", ".join(written["lhs"]))
    mixed = sorted((set(w.ov) & set(b.lv)) | (set(w.lv) & set(b.ov)))
    if mixed:
        raise ModelSpecificationError(f"{', '.join(mixed)}: latent at one level and observed at the other; "
                                      "use different names")
    split = [v for v in w.ov if v in b.ov]
    scale = _icc_per_variable(icc, split, standardized)
    w = _rescaled(w, {v: math.sqrt(1 - x) for v, x in scale.items()}, 1)
    b = _rescaled(b, {v: math.sqrt(x) for v, x in scale.items()}, 2)
    values = pd.concat([w.values, b.values], ignore_index=True)
    values = _with_definitions(values, pm.definitions, ("value", "std_value"))
    return TwoLevelPopulation(syntax, w, b, w.ov + [v for v in b.ov if v not in w.ov], split,
                              [v for v in w.ov if v not in b.ov], [v for v in b.ov if v not in w.ov],
                              scale, values, standardized)


def _solve_standardized(A: np.ndarray, S: np.ndarray, solve: np.ndarray, corr_rows) -> np.ndarray:
    """Residual variances of the ``solve`` variables so that every variable has total variance 1.

    Fixed-point iteration psi <- psi + (1 - var): exact after as many sweeps as the longest causal chain
    (the variance of a variable depends only on its ancestors' terms). Covariances in ``corr_rows`` are
    correlations of the residual terms, rescaled at each sweep.
    """
    S = S.copy()
    corr = {(i, j): S[i, j] for i, j in corr_rows}
    B = _inverse_i_minus(A)
    for _ in range(_SOLVE_MAX_ITER):
        for (i, j), r in corr.items():
            S[i, j] = S[j, i] = r * math.sqrt(max(S[i, i], 0.0) * max(S[j, j], 0.0))
        var = np.einsum("ij,jk,ik->i", B, S, B)
        step = 1.0 - var[solve]
        if np.all(np.abs(step) < _SOLVE_TOL):
            break
        S[solve, solve] += step
    else:
        raise ModelSpecificationError("could not standardize the population model (non-recursive paths?)")
    bad = solve[S[solve, solve] <= 0]
    if len(bad):
        raise ModelSpecificationError(
            "the population model explains 100 % or more of the variance of some variable(s); lower their "
            "loadings/paths or use standardized=False"
        )
    return S


def population_values(model: str | Population | TwoLevelPopulation, standardized: bool = True, *,
                      icc: float | Mapping[str, float] | None = None) -> pd.DataFrame:
    """The population value of every parameter (solved residual variances included).

    Parameters
    ----------
    model : str, Population or TwoLevelPopulation
    standardized : bool, default True
    icc : float or dict, optional
        ICC of the variables at both levels of a two-level model (see :func:`population`).

    Returns
    -------
    pandas.DataFrame
        Columns lhs, op, rhs, label, value, user (1 = written in the syntax); two-level models add ``level``
        (1, 2; 0 for ``:=``) and ``std_value`` (standardized within the level; ``value`` is in the data metric).

    Examples
    --------
    >>> t = population_values("F =~ 0.8*x1 + 0.6*x2 + 0.7*x3")
    >>> round(float(t.query("lhs == 'x2' and op == '~~'")["value"].iloc[0]), 6)
    0.64
    """
    return population(model, standardized, icc=icc).values.copy()


# --------------------------------------------------------------------------------------------- drawing


def _sqrt_psd(S: np.ndarray) -> np.ndarray:
    """L with L L' = S for a positive semi-definite S (eigen decomposition; zero variances allowed)."""
    w, Q = np.linalg.eigh((S + S.T) / 2)
    if w.min() < -1e-8 * max(1.0, abs(w).max()):
        raise ModelSpecificationError("the population (residual) covariance matrix is not positive semi-definite")
    return Q * np.sqrt(np.clip(w, 0, None))


def _draw_terms(S: np.ndarray, n: int, rng: np.random.Generator, cluster: np.ndarray | None,
                effects: np.ndarray | None, on: np.ndarray | None, icc: float) -> np.ndarray:
    """n draws of the source terms e ~ N(0, S); the ``on`` terms share a cluster effect (share ``icc``).

    The clustered block e_C = sqrt(1 - icc) w + sqrt(icc) u[cluster] (w, u ~ N(0, S_CC)); the other terms are
    drawn from their conditional distribution given e_C, so that Cov(e) = S exactly.
    """
    k = len(S)
    if cluster is None or on is None or not on.any():
        return rng.standard_normal((n, k)) @ _sqrt_psd(S).T
    C, R = np.flatnonzero(on), np.flatnonzero(~on)
    S_CC = S[np.ix_(C, C)]
    within = rng.standard_normal((n, len(C))) @ _sqrt_psd(S_CC).T
    e = np.zeros((n, k))
    e[:, C] = math.sqrt(1 - icc) * within + math.sqrt(icc) * effects[cluster][:, C]
    if len(R):
        S_RC = S[np.ix_(R, C)]
        coef = S_RC @ np.linalg.pinv(S_CC)
        cond = S[np.ix_(R, R)] - coef @ S_RC.T
        e[:, R] = e[:, C] @ coef.T + rng.standard_normal((n, len(R))) @ _sqrt_psd(cond).T
    return e


def _level_values(spec: Mapping[str, Any] | None, n_levels: int, what: str) -> dict[str, np.ndarray]:
    """{name: shift per level}: a scalar gives level j (0-based) j * value; a list gives one value per level."""
    out = {}
    for name, v in (spec or {}).items():
        arr = np.atleast_1d(np.asarray(v, dtype=float))
        if arr.size == 1:
            arr = np.arange(n_levels) * float(arr[0])
        elif arr.size != n_levels:
            raise ValueError(f"groups: {what}[{name!r}] has {arr.size} values for {n_levels} levels")
        out[name] = arr
    return out


def _cluster_mask(pop: Population, on: Any) -> np.ndarray:
    names = pop.names
    if isinstance(on, str):
        if on in ("observed", "all"):
            return np.ones(len(names), dtype=bool)
        if on == "latent":
            exo = np.abs(pop.A).sum(axis=1) == 0
            mask = exo & np.isin(names, pop.lv)
            if not mask.any():
                raise ValueError("clusters: on='latent' needs an exogenous latent variable in the model")
            return mask
        on = [on]
    unknown = [v for v in on if v not in names]
    if unknown:
        raise ValueError(f"clusters: unknown variable(s) {', '.join(unknown)} in 'on'")
    return np.isin(names, list(on))


def default_thresholds(categories: int = 5) -> np.ndarray:
    """Symmetric cut points in z units: evenly spaced over -2 .. 2 (-1.5, -0.5, 0.5, 1.5 for 5 categories).

    Examples
    --------
    >>> default_thresholds(5).tolist()
    [-1.5, -0.5, 0.5, 1.5]
    """
    k = int(categories)
    if k < 2:
        raise ValueError("ordinal items need at least 2 categories")
    return (np.arange(1, k) - k / 2) * (4.0 / (k - 1))


def _thresholds_for(ordinal: Mapping[str, Any], items: Sequence[str]) -> dict[str, np.ndarray]:
    given = ordinal.get("thresholds")
    k = ordinal.get("categories", 5)
    out = {}
    for item in items:
        if isinstance(given, Mapping):
            thr = given.get(item)
        else:
            thr = given
        kk = k.get(item, 5) if isinstance(k, Mapping) else k
        thr = default_thresholds(kk) if thr is None else np.sort(np.asarray(thr, dtype=float))
        out[item] = thr
    return out


def _mar_probabilities(z: np.ndarray, rate: float, strength: float) -> np.ndarray:
    """p_i = expit(a + strength * z_i) with the intercept a chosen so that mean(p) = rate (bisection)."""
    lo, hi = -50.0, 50.0
    for _ in range(100):
        a = (lo + hi) / 2
        p = 1 / (1 + np.exp(-(a + strength * z)))
        if p.mean() > rate:
            hi = a
        else:
            lo = a
    return p


def _apply_missing(data: pd.DataFrame, missing: Mapping[str, Any], ov: list[str],
                   rng: np.random.Generator, cluster_level: Sequence[str] = ()) -> pd.DataFrame:
    """Missing answers; ``cluster_level`` variables (constant within a cluster) are never made missing."""
    unknown = set(missing) - {"mcar", "mar", "items"}
    if unknown:
        raise ValueError(f"missing: unknown key(s) {', '.join(sorted(unknown))}; use 'mcar', 'mar', 'items'")
    mar = missing.get("mar")
    protect = list(cluster_level)
    if mar is not None:
        if not isinstance(mar, Mapping) or "on" not in mar:
            raise ValueError("missing['mar'] must be a dict with 'on' (the observed predictor) and 'rate'")
        protect.append(mar["on"])
        if mar["on"] not in data.columns:
            raise ValueError(f"missing['mar']['on'] = {mar['on']!r} is not a simulated column")
    asked = list(missing.get("items") or []) + list((mar or {}).get("items") or [])
    fixed = [v for v in dict.fromkeys(asked) if v in cluster_level]
    if fixed:
        raise ValueError(f"missing: {', '.join(fixed)} is a between-only (level-2) variable, one value per "
                         "cluster; respondent-level missingness would make it vary within a cluster")
    items = list(missing.get("items") or [v for v in ov if v not in protect])
    values = data[items].to_numpy(dtype=float, copy=True)
    n = len(data)
    mcar = float(missing.get("mcar", 0.0) or 0.0)
    if not 0 <= mcar < 1:
        raise ValueError(f"missing['mcar'] must be in [0, 1), not {mcar}")
    hole = rng.random(values.shape) < mcar
    if mar is not None:
        rate = float(mar.get("rate", 0.1))
        if not 0 <= rate < 1:
            raise ValueError(f"missing['mar']['rate'] must be in [0, 1), not {rate}")
        mar_items = list(mar.get("items") or [v for v in items if v != mar["on"]])
        x = data[mar["on"]].to_numpy(dtype=float)
        z = (x - x.mean()) / (x.std() or 1.0)
        p = _mar_probabilities(z, rate, float(mar.get("strength", 1.0)))
        cols = [items.index(v) for v in mar_items]
        hole[:, cols] |= rng.random((n, len(cols))) < p[:, None]
    values[hole] = np.nan
    out = data.copy()
    out[items] = values
    return out


# --------------------------------------------------------------------------------------------- simulate


def _rng(seed) -> np.random.Generator:
    return seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)


def _is_two_level(model) -> bool:
    if isinstance(model, TwoLevelPopulation):
        return True
    if isinstance(model, Population):
        return False
    from .sem.syntax import parse_model

    return any(f.level for f in parse_model(model).formulas)


def _whole(x: Any, what: str) -> int:
    """An integer (int, integral float or numpy integer), else a clear error."""
    try:
        v = float(x)
    except (TypeError, ValueError):
        v = float("nan")
    if isinstance(x, bool) or not math.isfinite(v) or v != int(v):
        raise ValueError(f"clusters: {what} must be a whole number, not {x!r}")
    return int(v)


def cluster_sizes(clusters: Mapping[str, Any], n: int | None = None,
                  seed: int | np.random.Generator | None = None) -> np.ndarray:
    """Cluster sizes of a two-level design (see ``clusters`` in :func:`simulate`).

    Parameters
    ----------
    clusters : dict
        ``k`` (number of clusters) and ``size``: an int (every cluster), a tuple ``(lo, hi)`` (each cluster's
        size drawn uniformly from lo..hi with ``seed``) or a list (one size per cluster; ``k`` optional).
        Without ``size``, ``n`` respondents are spread over the ``k`` clusters as evenly as possible.
    n : int, optional
        Total sample size, only without ``size``.
    seed : int, Generator or None
        For a size range.

    Returns
    -------
    numpy.ndarray
        One size per cluster.

    Raises
    ------
    ValueError
        Fewer than 2 clusters, a cluster size below 1, both or neither of ``n`` and ``size``.

    Examples
    --------
    >>> cluster_sizes({"k": 4, "size": 10}).tolist()
    [10, 10, 10, 10]
    >>> cluster_sizes({"k": 3}, n=10).tolist()
    [4, 3, 3]
    >>> s = cluster_sizes({"k": 50, "size": (10, 40)}, seed=1)
    >>> bool(s.min() >= 10 and s.max() <= 40), len(s)
    (True, 50)
    """
    size = clusters.get("size")
    k = clusters.get("k")
    if size is not None and n is not None:
        raise ValueError("give either n (spread over k clusters) or clusters['size'] (respondents per cluster), "
                         "not both")
    if size is None:
        if n is None:
            raise ValueError("a two-level design needs clusters={'k': <clusters>, 'size': <respondents per "
                             "cluster>} (or n, spread evenly over k clusters)")
        if k is None:
            raise ValueError("clusters needs 'k', the number of clusters")
        k, n = _whole(k, "k"), _whole(n, "n")
        sizes = np.full(max(k, 0), n // k if k > 0 else 0)
        sizes[: n % k if k > 0 else 0] += 1
    elif isinstance(size, tuple):
        if len(size) != 2:
            raise ValueError(f"clusters: a size range is a tuple (lo, hi), not {size!r}")
        lo, hi = _whole(size[0], "size"), _whole(size[1], "size")
        if k is None:
            raise ValueError("clusters needs 'k', the number of clusters")
        k = _whole(k, "k")
        if lo < 1 or lo > hi:
            raise ValueError(f"clusters: the size range {size!r} needs 1 <= lo <= hi")
        sizes = _rng(seed).integers(lo, hi + 1, size=max(k, 0))
    elif np.ndim(size) == 1:
        sizes = np.array([_whole(x, "size") for x in size], dtype=int)
        if k is not None and _whole(k, "k") != len(sizes):
            raise ValueError(f"clusters: k = {k} but {len(sizes)} cluster sizes are listed")
    else:
        if k is None:
            raise ValueError("clusters needs 'k', the number of clusters")
        k = _whole(k, "k")
        sizes = np.full(max(k, 0), _whole(size, "size"))
    if len(sizes) < 2:
        raise ValueError(f"a two-level design needs at least 2 clusters, not {len(sizes)}")
    if sizes.min() < 1:
        raise ValueError(f"every cluster needs at least 1 respondent (smallest size: {int(sizes.min())})")
    return sizes.astype(int)


def _cut_ordinal(data: pd.DataFrame, ordinal: Mapping[str, Any], ov: list[str], mu: np.ndarray,
                 sd: np.ndarray) -> pd.DataFrame:
    """Ordered categories 1..k from thresholds in population SD units around the population mean."""
    items = list(ordinal.get("items") or ov)
    bad = [v for v in items if v not in ov]
    if bad:
        raise ValueError(f"ordinal: unknown item(s) {', '.join(bad)}")
    thr = _thresholds_for(ordinal, items)
    for v in items:
        i = ov.index(v)
        z = (data[v].to_numpy() - mu[i]) / (sd[i] if sd[i] > 0 else 1.0)
        data[v] = 1.0 + np.searchsorted(thr[v], z)
    return data


def _draw_level(pop: Population, rows: int, rng: np.random.Generator) -> np.ndarray:
    """``rows`` draws of a level's observed variables: (I - A)^-1 (e + m), e ~ N(0, S)."""
    e = rng.standard_normal((rows, len(pop.S))) @ _sqrt_psd(pop.S).T
    return ((e + pop.m) @ _inverse_i_minus(pop.A).T)[:, : len(pop.ov)]


def _simulate_two_level(pop: TwoLevelPopulation, n, rng: np.random.Generator, clusters: Mapping[str, Any],
                        ordinal, missing) -> pd.DataFrame:
    name = clusters.get("name", "cluster")
    if name in pop.ov:
        raise ValueError(f"clusters: the cluster column {name!r} is also a model variable; choose another name")
    sizes = cluster_sizes(clusters, None if n is None else _whole(_single_n(n), "n"), rng)
    cluster = np.repeat(np.arange(len(sizes)), sizes)
    between = _draw_level(pop.between, len(sizes), rng)[cluster]
    within = _draw_level(pop.within, len(cluster), rng)
    data = pd.DataFrame(0.0, index=np.arange(len(cluster)), columns=pop.ov)
    data[pop.within.ov] += within
    data[pop.between.ov] += between
    if ordinal:
        sd = np.sqrt(np.diag(pop.implied_cov))
        data = _cut_ordinal(data, ordinal, pop.ov, pop.implied_mean.to_numpy(), sd)
    if missing:
        data = _apply_missing(data, missing, pop.ov, rng, cluster_level=pop.between_only)
    data[name] = cluster + 1
    return data


def _single_n(n) -> int:
    sizes = np.atleast_1d(np.asarray(n))
    if sizes.size != 1:
        raise ValueError("a two-level population has one group: n is a single total sample size")
    return sizes[0]


def simulate(
    model: str | Population | TwoLevelPopulation,
    n: int | Sequence[int] | None = None,
    seed: int | np.random.SeedSequence | np.random.Generator | None = None,
    *,
    ordinal: Mapping[str, Any] | None = None,
    missing: Mapping[str, Any] | None = None,
    clusters: Mapping[str, Any] | None = None,
    groups: Mapping[str, Any] | None = None,
    standardized: bool = True,
) -> pd.DataFrame:
    """Draw a data set from a population model given in lavaan syntax (lavaan's ``simulateData``).

    Parameters
    ----------
    model : str, Population or TwoLevelPopulation
        lavaan syntax whose fixed values are the population values (see the module docstring for the values
        the syntax leaves open), or a population built by :func:`population`. A model with ``level: 1`` /
        ``level: 2`` blocks is a two-level population (residents nested in communities): it needs
        ``clusters`` with the design (see below and the module docstring).
    n : int or list of int, default 500
        Sample size; with ``groups``, per group (an int for every group, or one size per level). For a
        two-level model only without ``clusters['size']``: the total, spread evenly over the clusters.
    seed : int, SeedSequence, Generator or None
        The same seed gives the same data.
    ordinal : dict, optional
        Cut continuous responses into ordered categories coded 1..k: ``{"categories": 5, "thresholds": None,
        "items": None}``. ``thresholds`` are in population standard-deviation units of each item (z = (x -
        population mean of the first group) / population SD; for a two-level model the total SD,
        sqrt(Sigma_W + Sigma_B)): one list for every item, or ``{item: list}``;
        default :func:`default_thresholds` (symmetric: -1.5, -0.5, 0.5, 1.5 for 5 categories).
        ``categories`` may also be ``{item: k}``. ``items`` defaults to all observed variables.
    missing : dict, optional
        ``{"mcar": 0.05}``: every cell of ``items`` (default: all observed variables) is missing with
        probability 0.05, independently. ``{"mar": {"on": "x1", "rate": 0.2, "strength": 1.0, "items":
        [...]}}``: missing at random -- the probability that a case misses each of ``items`` (default: all
        other observed variables) is ``expit(a + strength * z)`` where z is the standardized value of the
        always-observed variable ``on`` (after ordinal cutting) and ``a`` is chosen so that the average rate is
        ``rate``; higher values of ``on`` mean more missing answers (negative ``strength`` reverses it). Both
        keys can be combined. In a two-level model the between-only variables are never missing (listing
        one is an error).
    clusters : dict, optional
        *Single-level model*: respondents nested in ``k`` clusters (communities) of (nearly) equal size,
        assigned at random:
        ``{"k": 20, "icc": 0.1, "on": "observed", "name": "cluster"}``. A cluster random intercept carries the
        share ``icc`` of the variance of the ``on`` terms: ``"observed"`` (default) puts it on all source
        terms, so that the between-cluster covariance matrix is icc x Sigma -- every observed variable and
        every construct score (any composite) then has ICC = ``icc``; ``"latent"`` puts it on the exogenous
        latent variables only (their ICC is ``icc``; it propagates along the paths, and an item's or a score's
        ICC is smaller by its share of common variance); a list of variable names puts it on those variables'
        (residual) terms. Total variances and covariances are unchanged. With ``groups`` the same clusters (and
        cluster effects) appear in every group, as the same communities surveyed in several waves. Adds the
        column ``name`` with cluster numbers 1..k.

        *Two-level model* (required): the design ``{"k": 40, "size": 15, "icc": 0.1, "name": "cluster"}``.
        ``size`` is an int (every cluster), a tuple ``(lo, hi)`` (each cluster's size drawn uniformly from
        lo..hi with the seed) or a list with one size per cluster (see :func:`cluster_sizes`); ``icc`` is the
        ICC of the variables at both levels (a number or ``{variable: icc}``; required for a standardized
        model given as syntax, see :func:`population`). Rows come cluster by cluster; the column ``name``
        holds cluster numbers 1..k. Between-only variables are constant within a cluster.
    groups : dict, optional
        Groups or waves with stated non-invariance: ``{"levels": ["wave1", "wave2"], "name": "group",
        "intercept_shift": {"x3": 0.3}, "latent_mean_shift": {"PBL": 0.2}, "loading_shift": {"PBL=~pbl2":
        -0.2}}``. A scalar shift gives level j (0-based) j x value (the first level is the reference; with
        waves a linear trend); a list gives one value per level. Intercept shifts act on observed variables,
        latent mean shifts on latent intercepts (an endogenous latent's shift propagates along the paths).
        The population values are those of the first level; residual variances are not re-standardized in
        the other levels. Adds the column ``name`` with the level of each row. Not available for two-level
        models.
    standardized : bool, default True
        Unspecified residual variances make every variable's variance 1 (per level in a two-level model; see
        the module docstring).

    Returns
    -------
    pandas.DataFrame
        The observed variables in model order (float; ordinal items hold codes 1..k; two-level models: the
        level-1 variables, then the between-only ones), then the group and cluster columns when requested.

    Raises
    ------
    ValueError
        Bad options; for two-level models also a missing or impossible design (fewer than 2 clusters, a
        cluster size below 1), a missing ICC, ``groups``.

    Examples
    --------
    >>> df = simulate("F =~ 0.8*x1 + 0.7*x2 + 0.6*x3\\ny ~ 0.4*F", n=2000, seed=1)
    >>> list(df.columns)
    ['x1', 'x2', 'x3', 'y']
    >>> bool(abs(df["x1"].var() - 1) < 0.1)
    True
    >>> likert = simulate("F =~ 0.8*x1 + 0.7*x2", n=100, seed=1, ordinal={"categories": 5},
    ...                   missing={"mcar": 0.05}, clusters={"k": 10, "icc": 0.1})
    >>> sorted(likert["x1"].dropna().unique().tolist()) == [1.0, 2.0, 3.0, 4.0, 5.0]
    True

    Residents in communities: a within-community factor, a between-community factor predicted by a
    community-level variable ``pbl`` (one value per community):

    >>> two = '''
    ... level: 1
    ...   NETw =~ 0.8*net1 + 0.7*net2 + 0.7*net3
    ... level: 2
    ...   NETb =~ 0.9*net1 + 0.9*net2 + 0.8*net3
    ...   NETb ~ 0.4*pbl
    ... '''
    >>> d = simulate(two, seed=1, clusters={"k": 30, "size": (10, 20), "icc": 0.15, "name": "community"})
    >>> list(d.columns)
    ['net1', 'net2', 'net3', 'pbl', 'community']
    >>> int(d["community"].nunique()), int(d.groupby("community")["pbl"].nunique().max())
    (30, 1)
    """
    rng = _rng(seed)
    clusters = dict(clusters) if clusters else None
    if _is_two_level(model):
        if groups:
            raise ValueError("groups= is not available for two-level population models; simulate each group "
                             "separately and stack the frames")
        if not clusters:
            raise ValueError("a two-level population model (level: 1 / level: 2) needs the design: "
                             "clusters={'k': 40, 'size': 15, 'icc': 0.1} (icc for a standardized model)")
        unknown = set(clusters) - {"k", "size", "name", "icc"}
        if unknown:
            raise ValueError(f"clusters: unknown key(s) {', '.join(sorted(map(str, unknown)))} for a two-level "
                             "population; use 'k', 'size', 'name', 'icc'")
        pop = population(model, standardized, icc=clusters.get("icc"))
        return _simulate_two_level(pop, n, rng, clusters, ordinal, missing)
    pop = population(model, standardized)
    n = 500 if n is None else n
    groups = dict(groups or {})
    levels = list(groups.get("levels", [None]))
    if not levels:
        raise ValueError("groups['levels'] is empty")
    sizes = [int(x) for x in np.atleast_1d(np.asarray(n))]
    if len(sizes) == 1:
        sizes = sizes * len(levels)
    if len(sizes) != len(levels):
        raise ValueError(f"n gives {len(sizes)} sizes for {len(levels)} groups")
    if any(s < 1 for s in sizes):
        raise ValueError("n must be at least 1")
    unknown = set(groups) - {"levels", "name", "intercept_shift", "latent_mean_shift", "loading_shift"}
    if unknown:
        raise ValueError(f"groups: unknown key(s) {', '.join(sorted(unknown))}")
    names = pop.names
    index = {v: i for i, v in enumerate(names)}
    shifts_ov = _level_values(groups.get("intercept_shift"), len(levels), "intercept_shift")
    shifts_lv = _level_values(groups.get("latent_mean_shift"), len(levels), "latent_mean_shift")
    shifts_lam = _level_values(groups.get("loading_shift"), len(levels), "loading_shift")
    for name, pool in [(v, pop.ov) for v in shifts_ov] + [(v, pop.lv) for v in shifts_lv]:
        if name not in pool:
            raise ValueError(f"groups: {name!r} is not a{'n observed' if pool is pop.ov else ' latent'} variable")
    lam_pos = {}
    for key in shifts_lam:
        f, _, x = str(key).replace(" ", "").partition("=~")
        if f not in pop.lv or x not in index:
            raise ValueError(f"groups: loading_shift key {key!r} must look like 'F=~item'")
        lam_pos[key] = (index[x], index[f])

    cl_effects = mask = None
    icc = 0.0
    if clusters:
        unknown = set(clusters) - {"k", "icc", "on", "name"}
        if unknown:
            raise ValueError(f"clusters: unknown key(s) {', '.join(sorted(map(str, unknown)))} for a single-level "
                             "model (use 'k', 'icc', 'on', 'name'); cluster sizes and level-specific structures "
                             "need a two-level population model (level: 1 / level: 2 blocks)")
        k = int(clusters.get("k", 20))
        icc = float(clusters.get("icc", 0.1))
        if k < 1 or not 0 <= icc < 1:
            raise ValueError("clusters needs k >= 1 and 0 <= icc < 1")
        mask = _cluster_mask(pop, clusters.get("on", "observed"))
        C = np.flatnonzero(mask)
        u = rng.standard_normal((k, len(C))) @ _sqrt_psd(pop.S[np.ix_(C, C)]).T
        cl_effects = np.zeros((k, len(names)))
        cl_effects[:, C] = u

    p = len(pop.ov)
    frames = []
    for j, (level, size) in enumerate(zip(levels, sizes)):
        A, m = pop.A.copy(), pop.m.copy()
        for v, arr in shifts_ov.items():
            m[index[v]] += arr[j]
        for v, arr in shifts_lv.items():
            m[index[v]] += arr[j]
        for key, arr in shifts_lam.items():
            A[lam_pos[key]] += arr[j]
        cluster = rng.permutation(np.arange(size) % clusters["k"]) if clusters else None
        e = _draw_terms(pop.S, size, rng, cluster, cl_effects, mask, icc)
        allv = (e + m) @ _inverse_i_minus(A).T
        frame = pd.DataFrame(allv[:, :p], columns=pop.ov)
        if groups:
            frame[groups.get("name", "group")] = level
        if clusters:
            frame[clusters.get("name", "cluster")] = cluster + 1
        frames.append(frame)
    data = pd.concat(frames, ignore_index=True)

    if ordinal:
        data = _cut_ordinal(data, ordinal, pop.ov, pop.mean()[:p], np.sqrt(np.diag(pop.covariance())[:p]))
    if missing:
        data = _apply_missing(data, missing, pop.ov, rng)
    return data
