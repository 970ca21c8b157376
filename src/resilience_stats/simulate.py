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
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from .errors import ModelSpecificationError, ResilienceStatsWarning

__all__ = ["Population", "population", "population_values", "simulate", "default_thresholds"]

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


def population(model: str | Population, standardized: bool = True) -> Population:
    """Parse a population model (fixed values = population values) and fill in what the syntax leaves open.

    Parameters
    ----------
    model : str or Population
        lavaan syntax with fixed values (``F =~ 0.8*x1 + 0.7*x2``, ``Y ~ 0.3*F``, ``a := ...``).
    standardized : bool, default True
        Solve unspecified residual variances so that all variables have variance 1 (see the module
        docstring); otherwise they are 1.

    Returns
    -------
    Population

    Examples
    --------
    >>> pop = population("F =~ 0.8*x1 + 0.6*x2 + 0.7*x3\\nY ~ 0.5*F")
    >>> v = pop.values.set_index(["lhs", "op", "rhs"])["value"]
    >>> round(float(v[("x1", "~~", "x1")]), 2), round(float(v[("Y", "~~", "Y")]), 2)
    (0.36, 0.75)
    >>> np.round(np.diag(pop.implied_cov), 6).tolist()
    [1.0, 1.0, 1.0, 1.0]
    """
    if isinstance(model, Population):
        return model
    from .sem.model import build_models, model_variable_names
    from .sem.syntax import build_partable, eval_expression, parse_model

    pm = parse_model(model)
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
                      ResilienceStatsWarning, stacklevel=2)
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
    ns = {lab: v for lab, v in zip(values["label"], values["value"]) if lab}
    defs = []
    for name, tree, _text, _line in pm.definitions:
        try:
            ns[name] = eval_expression(tree, ns)
        except Exception:  # unknown label: the truth of this defined parameter is unknown
            ns[name] = float("nan")
        defs.append({"lhs": name, "op": ":=", "rhs": _text.replace(" ", ""), "label": name,
                     "value": ns[name], "user": 1})
    if defs:
        values = pd.concat([values, pd.DataFrame(defs)], ignore_index=True)
    return Population(str(model), ov, lv, A, S, m, values, bool(standardized))


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


def population_values(model: str | Population, standardized: bool = True) -> pd.DataFrame:
    """The population value of every parameter (solved residual variances included).

    Parameters
    ----------
    model : str or Population
    standardized : bool, default True

    Returns
    -------
    pandas.DataFrame
        Columns lhs, op, rhs, label, value, user (1 = written in the syntax).

    Examples
    --------
    >>> t = population_values("F =~ 0.8*x1 + 0.6*x2 + 0.7*x3")
    >>> round(float(t.query("lhs == 'x2' and op == '~~'")["value"].iloc[0]), 6)
    0.64
    """
    return population(model, standardized).values.copy()


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
                   rng: np.random.Generator) -> pd.DataFrame:
    unknown = set(missing) - {"mcar", "mar", "items"}
    if unknown:
        raise ValueError(f"missing: unknown key(s) {', '.join(sorted(unknown))}; use 'mcar', 'mar', 'items'")
    mar = missing.get("mar")
    protect = []
    if mar is not None:
        if not isinstance(mar, Mapping) or "on" not in mar:
            raise ValueError("missing['mar'] must be a dict with 'on' (the observed predictor) and 'rate'")
        protect = [mar["on"]]
        if mar["on"] not in data.columns:
            raise ValueError(f"missing['mar']['on'] = {mar['on']!r} is not a simulated column")
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


def simulate(
    model: str | Population,
    n: int | Sequence[int] = 500,
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
    model : str or Population
        lavaan syntax whose fixed values are the population values (see the module docstring for the values
        the syntax leaves open), or a :class:`Population`.
    n : int or list of int, default 500
        Sample size; with ``groups``, per group (an int for every group, or one size per level).
    seed : int, SeedSequence, Generator or None
        The same seed gives the same data.
    ordinal : dict, optional
        Cut continuous responses into ordered categories coded 1..k: ``{"categories": 5, "thresholds": None,
        "items": None}``. ``thresholds`` are in population standard-deviation units of each item (z = (x -
        population mean of the first group) / population SD): one list for every item, or ``{item: list}``;
        default :func:`default_thresholds` (symmetric: -1.5, -0.5, 0.5, 1.5 for 5 categories).
        ``categories`` may also be ``{item: k}``. ``items`` defaults to all observed variables.
    missing : dict, optional
        ``{"mcar": 0.05}``: every cell of ``items`` (default: all observed variables) is missing with
        probability 0.05, independently. ``{"mar": {"on": "x1", "rate": 0.2, "strength": 1.0, "items":
        [...]}}``: missing at random -- the probability that a case misses each of ``items`` (default: all
        other observed variables) is ``expit(a + strength * z)`` where z is the standardized value of the
        always-observed variable ``on`` (after ordinal cutting) and ``a`` is chosen so that the average rate is
        ``rate``; higher values of ``on`` mean more missing answers (negative ``strength`` reverses it). Both
        keys can be combined.
    clusters : dict, optional
        Respondents nested in ``k`` clusters (communities) of (nearly) equal size, assigned at random:
        ``{"k": 20, "icc": 0.1, "on": "observed", "name": "cluster"}``. A cluster random intercept carries the
        share ``icc`` of the variance of the ``on`` terms: ``"observed"`` (default) puts it on all source
        terms, so that the between-cluster covariance matrix is icc x Sigma -- every observed variable and
        every construct score (any composite) then has ICC = ``icc``; ``"latent"`` puts it on the exogenous
        latent variables only (their ICC is ``icc``; it propagates along the paths, and an item's or a score's
        ICC is smaller by its share of common variance); a list of variable names puts it on those variables'
        (residual) terms. Total variances and covariances are unchanged. With ``groups`` the same clusters (and
        cluster effects) appear in every group, as the same communities surveyed in several waves. Adds the
        column ``name`` with cluster numbers 1..k.
    groups : dict, optional
        Groups or waves with stated non-invariance: ``{"levels": ["wave1", "wave2"], "name": "group",
        "intercept_shift": {"x3": 0.3}, "latent_mean_shift": {"PBL": 0.2}, "loading_shift": {"PBL=~pbl2":
        -0.2}}``. A scalar shift gives level j (0-based) j x value (the first level is the reference; with
        waves a linear trend); a list gives one value per level. Intercept shifts act on observed variables,
        latent mean shifts on latent intercepts (an endogenous latent's shift propagates along the paths).
        The population values are those of the first level; residual variances are not re-standardized in
        the other levels. Adds the column ``name`` with the level of each row.
    standardized : bool, default True
        Unspecified residual variances make every variable's variance 1 (see the module docstring).

    Returns
    -------
    pandas.DataFrame
        The observed variables in model order (float; ordinal items hold codes 1..k), then the group and
        cluster columns when requested.

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
    """
    pop = population(model, standardized)
    rng = _rng(seed)
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

    clusters = dict(clusters) if clusters else None
    cl_effects = mask = None
    icc = 0.0
    if clusters:
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
        items = list(ordinal.get("items") or pop.ov)
        bad = [v for v in items if v not in pop.ov]
        if bad:
            raise ValueError(f"ordinal: unknown item(s) {', '.join(bad)}")
        mu, sd = pop.mean()[:p], np.sqrt(np.diag(pop.covariance())[:p])
        thr = _thresholds_for(ordinal, items)
        for v in items:
            i = pop.ov.index(v)
            z = (data[v].to_numpy() - mu[i]) / (sd[i] if sd[i] > 0 else 1.0)
            data[v] = 1.0 + np.searchsorted(thr[v], z)
    if missing:
        data = _apply_missing(data, missing, pop.ov, rng)
    return data
