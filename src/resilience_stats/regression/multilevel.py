"""Multilevel (mixed-effects) regression of residents nested in communities.

The two-level linear model for resident ``i`` in community ``j``,

    y_ij = x_ij' beta + z_ij' u_j + e_ij,    u_j ~ N(0, T),    e_ij ~ N(0, sigma^2),

with ``x_ij`` the fixed-effect terms (intercept, level-1 predictors, level-2 predictors, products of them) and
``z_ij`` the random terms (intercept and the level-1 predictors given random slopes; ``T`` unstructured, as
lme4's ``(1 + x | community)``), is estimated by REML (default) or ML with statsmodels' ``MixedLM`` (``bfgs``
with a tight gradient tolerance, then ``lbfgs`` / ``cg`` from where it stopped). statsmodels' optimum ``T*`` is
then evaluated by our own profiled criterion, lme4's deviance function in the relative Cholesky factor
``theta`` written with per-community cross-products (Woodbury), which stays exact at a singular ``T*``:
statsmodels evaluates ``T*^-1`` and, at a variance of exactly 0, returns an infinite log-likelihood and the
fixed effects of infinite random-effect variance; near a boundary it also reports convergence at points that
are not the optimum. So the criterion is then minimized from statsmodels' point with the Cholesky diagonal
bounded at 0, as lme4 does (scipy's L-BFGS-B; at a boundary, or when statsmodels fails, also from lme4's start
theta = identity, keeping the better). From the optimum on the module computes what statsmodels leaves out or
reports differently from lme4:

* the fixed effects by GLS and their covariance ``sigma^2 (sum_j X_j' V_j^-1 X_j)^-1`` with
  ``V_j = I + Z_j T* Z_j'`` (``T* = T / sigma^2``) at the estimates -- lme4's ``vcov()``; statsmodels inverts the
  full Hessian instead;
* AIC and BIC with lme4's parameter count (fixed effects + ``q(q + 1) / 2`` random-part parameters + the
  residual variance; BIC with the number of residents), also for REML fits (statsmodels gives none);
* the conditional modes of the random effects ``T Z_j' V_j^-1 (y_j - X_j beta)`` (lme4's ``ranef``);
* a singular (boundary) fit, lme4's ``isSingular``: a diagonal element of the Cholesky factor of ``T*`` below
  1e-4, i.e. a random-effect variance of (nearly) zero or a correlation of +/-1;
* marginal and conditional R^2 of Nakagawa & Schielzeth (2013), with random slopes as Johnson (2014) and
  Nakagawa, Johnson & Schielzeth (2017) (MuMIn's ``r.squaredGLMM``, performance's ``r2_nakagawa``):
  ``var_fixed = var(X beta)`` (n - 1 denominator), ``var_random = mean_i z_i' T z_i`` (the random-effect
  variance averaged over the residents' covariate values; ``tau_00`` with a random intercept only),
  ``var_residual = sigma^2``; ``R2_m = var_fixed / total``, ``R2_c = (var_fixed + var_random) / total``.

Centring (:func:`center`, ``multilevel(center=...)``): group-mean centring replaces ``x`` by its deviation from
the community mean (``x_cwc``; its coefficient is the pure within-community effect), grand-mean centring by its
deviation from the overall mean (``x_gmc``); the community means (``x_mean``) are level-2 variables. With
``x`` group-mean centred and ``x_mean`` in the model, ``x_mean``'s coefficient is the between-community effect
and the contextual effect is the difference between-minus-within; with ``x`` grand-mean centred (or raw) and
``x_mean`` in the model, ``x_mean``'s coefficient *is* the contextual effect (Enders & Tofighi, 2007).

Inference on fixed effects uses Wald z tests and intervals (lme4 prints the same ratios as "t value" without a
p value; Satterthwaite / Kenward-Roger degrees of freedom are not computed). With few communities (under
about 30) the z tests of level-2 effects are liberal.

Deviance tests (:func:`deviance_test`) compare nested models by the likelihood ratio. REML likelihoods are
comparable only between models with the same fixed effects, so by default REML fits whose fixed parts differ
are refitted with ML first, and REML fits that differ only in their random part are compared by REML (the
recommended test of a random slope). lme4's ``anova()`` refits every REML fit with ML unless told
``refit = FALSE``; ``refit=True`` does the same. A test of a variance (adding a random slope) is on the
boundary of the parameter space; its chi-square p value is conservative (Self & Liang, 1987).

Agreement with R's lme4 (tests/golden/multilevel_lme4.R): the (RE)ML criterion is very flat in the variance
components (sleepstudy: lme4's default stopping point and a tight optimum differ by 0.01 in a variance of 612
with criteria equal to 1e-12), so the golden fits use tight tolerances; our estimates agree with them to about
1e-7 relative, singular fits included. statsmodels' ``bfgs`` cannot reach ``gtol=1e-10`` (it stops "not
converged"), hence 1e-8 and the finish above.
"""

from __future__ import annotations

import numbers
import warnings
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats as sps

from .._warn import warn
from ..errors import DataError, EstimationWarning, ModelSpecificationError, ResilienceStatsWarning
from ._data import model_frame, variable_table

__all__ = ["MultilevelResult", "center", "deviance_test", "multilevel", "null_model_icc"]

INTERCEPT = "(Intercept)"
CENTERING = ("group", "grand")
#: statsmodels optimizers tried in turn. The gradient tolerance is on the log-likelihood per resident; 1e-8 puts
#: the variance components within ~1e-7 (relative) of lme4's tight optimum (bfgs cannot reach 1e-10 reliably).
_OPTIMIZERS = (("bfgs", {"gtol": 1e-8}), ("lbfgs", {}), ("cg", {"gtol": 1e-8}))
_MAXITER = 2000
#: Largest projected gradient of the (RE)ML deviance in theta accepted as converged when L-BFGS-B stops on a flat
#: criterion ("ABNORMAL_TERMINATION_IN_LNSRCH"); lme4 warns above 0.002 (check.conv.grad).
_POLISH_GTOL = 2e-3
_SINGULAR_TOL = 1e-4
_MEAN_SUFFIX, _CWC_SUFFIX, _GMC_SUFFIX = "_mean", "_cwc", "_gmc"


# ============================================================================================ centring


def _cluster_codes(ids: pd.Series, what: str) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes 0..J-1 and the sorted labels of the cluster ids; missing ids are an error."""
    missing = ids.isna() | ids.astype(str).str.strip().eq("")
    if missing.any():
        rows = ", ".join(map(str, ids.index[missing][:5]))
        raise DataError(f"{what}: {int(missing.sum())} row(s) have no cluster id in {ids.name!r} (e.g. rows {rows}); "
                        "give every resident a community or drop those rows")
    try:
        labels, codes = np.unique(ids.to_numpy(), return_inverse=True)
    except TypeError:  # mixed types (numbers and text): compare as text
        labels, codes = np.unique(ids.astype(str).to_numpy(), return_inverse=True)
    return codes.ravel(), labels


def _group_means(values: np.ndarray, codes: np.ndarray, n_clusters: int) -> np.ndarray:
    """Per-row mean of ``values`` over the row's cluster, NaN skipped (NaN where a cluster has no value)."""
    ok = ~np.isnan(values)
    sums = np.bincount(codes[ok], weights=values[ok], minlength=n_clusters)
    counts = np.bincount(codes[ok], minlength=n_clusters)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = sums / counts
    return means[codes]


def center(frame: pd.DataFrame, cols: str | Sequence[str], by: str | None = None) -> pd.DataFrame:
    """Grand-mean or group-mean centred copies of columns, and cluster means as level-2 variables.

    Parameters
    ----------
    frame : pandas.DataFrame
        Never modified; a copy with the new columns is returned.
    cols : str or list of str
        Numeric columns to centre.
    by : str, optional
        Cluster column (e.g. ``"community"``). Without it every column ``c`` gets ``c_gmc = c - mean(c)``
        (grand-mean centring). With it every column gets ``c_mean`` (the cluster mean: a level-2 variable,
        the same for every resident of a cluster) and ``c_cwc = c - c_mean`` (centring within cluster: the
        resident's deviation from the cluster mean).

    Returns
    -------
    pandas.DataFrame
        ``frame``'s columns followed by the new ones. Means skip missing values; a missing value stays
        missing in its centred column.

    Raises
    ------
    DataError
        Unknown or non-numeric columns, a new column name that already exists, a missing cluster id.

    Examples
    --------
    >>> df = pd.DataFrame({"community": ["a", "a", "b", "b"], "PBL": [1.0, 3.0, 4.0, 6.0]})
    >>> center(df, "PBL", by="community")[["PBL_mean", "PBL_cwc"]].values.tolist()
    [[2.0, -1.0], [2.0, 1.0], [5.0, -1.0], [5.0, 1.0]]
    >>> center(df, "PBL")["PBL_gmc"].tolist()
    [-2.5, -0.5, 0.5, 2.5]
    >>> "PBL_gmc" in df.columns
    False
    """
    if not isinstance(frame, pd.DataFrame):
        raise DataError(f"center: expected a pandas DataFrame, not {type(frame).__name__}")
    cols = [cols] if isinstance(cols, str) else list(cols)
    unknown = [c for c in [*cols, *([by] if by is not None else [])] if c not in frame.columns]
    if unknown:
        raise DataError(f"center: unknown column(s) {', '.join(map(str, unknown))}")
    for c in cols:
        if not pd.api.types.is_numeric_dtype(frame[c]) or pd.api.types.is_bool_dtype(frame[c]):
            raise DataError(f"center: column {c!r} is not numeric")
    suffixes = (_GMC_SUFFIX,) if by is None else (_MEAN_SUFFIX, _CWC_SUFFIX)
    clash = [f"{c}{s}" for c in cols for s in suffixes if f"{c}{s}" in frame.columns]
    if clash:
        raise DataError(f"center: the column(s) {', '.join(clash)} exist already; rename them first")
    out = frame.copy()
    if by is None:
        for c in cols:
            out[f"{c}{_GMC_SUFFIX}"] = frame[c] - frame[c].mean()
        return out
    codes, labels = _cluster_codes(frame[by], "center")
    for c in cols:
        values = frame[c].to_numpy(dtype=float)
        means = _group_means(values, codes, len(labels))
        out[f"{c}{_MEAN_SUFFIX}"] = means
        out[f"{c}{_CWC_SUFFIX}"] = values - means
    return out


# ============================================================================================ the design


@dataclass(frozen=True)
class _Design:
    """Everything a (re)fit needs: response, fixed and random design, cluster codes, and the per-cluster
    cross-products that the profiled likelihood is computed from (``J x q x q`` etc.)."""

    y: np.ndarray
    X: np.ndarray
    Z: np.ndarray
    codes: np.ndarray
    labels: np.ndarray
    fixed_names: tuple
    random_names: tuple

    def _sums(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """sum over the rows of each cluster of a_i b_i' -> (J, a columns, b columns)."""
        out = np.zeros((len(self.labels), a.shape[1], b.shape[1]))
        np.add.at(out, self.codes, a[:, :, None] * b[:, None, :])
        return out

    @cached_property
    def cross(self) -> dict:
        y = self.y[:, None]
        return {"ZtZ": self._sums(self.Z, self.Z), "ZtX": self._sums(self.Z, self.X),
                "Zty": self._sums(self.Z, y)[:, :, 0], "XtX": self.X.T @ self.X, "Xty": self.X.T @ self.y,
                "yty": float(self.y @ self.y)}


def _lower(theta: np.ndarray, q: int) -> np.ndarray:
    L = np.zeros((q, q))
    L[np.tril_indices(q)] = theta
    return L


def _theta(psi: np.ndarray) -> np.ndarray:
    """The lower-triangular Cholesky factor of T* as a vector (lme4's theta); a singular T* gets a zero column."""
    q = len(psi)
    w, Q = np.linalg.eigh((psi + psi.T) / 2)
    psi = (Q * np.clip(w, 0, None)) @ Q.T
    try:
        L = np.linalg.cholesky(psi + 1e-14 * np.eye(q) * max(1.0, np.trace(psi)))
    except np.linalg.LinAlgError:
        L = np.diag(np.sqrt(np.clip(np.diag(psi), 0, None)))
    return L[np.tril_indices(q)]


def _profile(design: _Design, theta: np.ndarray, reml: bool) -> dict:
    """The profiled (RE)ML criterion at ``theta`` (lme4's deviance function) and what follows from it.

    Per cluster ``M_j = I + L' Z_j'Z_j L``; by Woodbury, with ``V_j = I + Z_j L L' Z_j'``,
    ``A' V_j^-1 B = A'B - (L'Z_j'A)' M_j^-1 (L'Z_j'B)`` and ``log|V_j| = log|M_j|``. Stable at a singular
    ``L`` (unlike statsmodels, which inverts ``T*``).
    """
    c = design.cross
    q = design.Z.shape[1]
    n, p = design.X.shape
    L = _lower(theta, q)
    M = np.eye(q) + np.einsum("ka,jkl,lb->jab", L, c["ZtZ"], L)
    LZX = np.einsum("ka,jkp->jap", L, c["ZtX"])
    LZy = np.einsum("ka,jk->ja", L, c["Zty"])
    chol = np.linalg.cholesky(M)
    logdet = 2 * float(np.log(np.diagonal(chol, axis1=1, axis2=2)).sum())
    MiX = np.linalg.solve(M, LZX)
    Miy = np.linalg.solve(M, LZy[:, :, None])[:, :, 0]
    xvx = c["XtX"] - np.einsum("jap,jar->pr", LZX, MiX)
    xvy = c["Xty"] - np.einsum("jap,ja->p", LZX, Miy)
    yvy = c["yty"] - float(np.einsum("ja,ja->", LZy, Miy))
    beta = np.linalg.solve(xvx, xvy)
    rss = max(yvy - float(xvy @ beta), 1e-300)
    dof = n - p if reml else n
    sigma2 = rss / dof
    dev = logdet + dof * (1 + np.log(2 * np.pi * sigma2))
    if reml:
        dev += float(np.linalg.slogdet(xvx)[1])
    # conditional modes u_j = sigma-free  L M_j^-1 L' Z_j'(y_j - X_j beta)
    r = LZy - np.einsum("jap,p->ja", LZX, beta)
    modes = np.einsum("ak,jk->ja", L, np.linalg.solve(M, r[:, :, None])[:, :, 0])
    return {"deviance": float(dev), "beta": beta, "sigma2": sigma2, "xvx": xvx, "psi": L @ L.T, "modes": modes,
            "theta": theta}


def _statsmodels_psi(design: _Design, reml: bool) -> tuple[np.ndarray | None, bool, list]:
    """T* at statsmodels' MixedLM optimum (optimizers in turn, each from where the previous one stopped),
    whether it converged, and its warnings that are not ours to judge; ``None`` when statsmodels fails
    (it inverts T* and can hit a singular matrix on the way to a boundary)."""
    from statsmodels.regression.mixed_linear_model import MixedLM

    model = MixedLM(design.y, design.X, groups=design.codes, exog_re=design.Z)
    start = None
    for method, options in _OPTIMIZERS:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                res = model.fit(start_params=start, reml=reml, method=[method], maxiter=_MAXITER, **options)
            except (np.linalg.LinAlgError, ValueError):
                return None, False, []
        if res.converged:
            break
        start = res.params_object
    notes = []
    for w in caught:  # the last optimizer's warnings
        text = str(w.message)
        if any(s in text.lower() for s in ("boundary", "hessian", "singular", "failed", "divide", "invalid value")):
            continue  # boundary / Hessian checks are ours (singular flag, GLS covariance); convergence: res.converged
        notes.append(text)
    psi = np.atleast_2d(np.asarray(res.cov_re_unscaled, dtype=float))
    return (psi + psi.T) / 2, bool(res.converged), list(dict.fromkeys(notes))


def _polish(design: _Design, start: dict, reml: bool) -> tuple[dict, bool]:
    """Minimize the profiled criterion over theta with the Cholesky diagonal bounded at 0 (lme4's bounds),
    from ``start``; the result is kept only when it is at least as good. Returns it and whether L-BFGS-B
    converged (a zero projected gradient)."""
    from scipy.optimize import minimize

    q = design.Z.shape[1]
    rows, cols = np.tril_indices(q)
    diag = rows == cols
    bounds = [(0.0, None) if d else (None, None) for d in diag]
    out = minimize(lambda t: _profile(design, t, reml)["deviance"], np.where(diag, np.abs(start["theta"]),
                                                                               start["theta"]),
                   method="L-BFGS-B", jac="3-point", bounds=bounds,
                   options={"ftol": 1e-15, "gtol": 1e-10, "maxiter": _MAXITER})
    grad = np.where(diag & (out.x <= 0) & (out.jac > 0), 0.0, out.jac)  # projected gradient
    ok = bool(out.success or np.max(np.abs(grad)) < _POLISH_GTOL)
    polished = _profile(design, out.x, reml)
    return (polished, ok) if polished["deviance"] <= start["deviance"] else (start, ok)


def _estimate(design: _Design, reml: bool) -> tuple[dict, bool, list]:
    """statsmodels' optimum, finished by :func:`_polish` on our profiled criterion; when statsmodels failed or did
    not converge, or the optimum is on the boundary, also from lme4's start (theta = identity); the best wins.

    statsmodels can report convergence far from an optimum that lies on the boundary (the ML fit of a singular
    random-slope model of the test data, ``comm_singular_rs``: log-likelihood -1367.4, the optimum -1259.2), and
    it evaluates T*^-1, so it cannot settle at a singular T*; the bounded finish reaches lme4's optimum there.
    """
    psi, sm_converged, notes = _statsmodels_psi(design, reml)
    identity = _theta(np.eye(design.Z.shape[1]))
    start = identity if psi is None or not np.all(np.isfinite(psi)) else _theta(psi)
    est, ok = _polish(design, _profile(design, start, reml), reml)
    if not sm_converged or not ok or _is_singular(est["psi"]):
        other, other_ok = _polish(design, _profile(design, identity, reml), reml)
        if other["deviance"] < est["deviance"] - 1e-9:
            est, ok = other, other_ok
    return est, ok, notes


def _is_singular(psi: np.ndarray) -> bool:
    """lme4's ``isSingular``: a diagonal element of the Cholesky factor of T* below 1e-4."""
    return bool(np.min(np.abs(np.diag(_lower(_theta(psi), len(psi))))) < _SINGULAR_TOL)


# ============================================================================================ the result


@dataclass
class MultilevelResult:
    """A two-level linear mixed model (residents in clusters).

    Attributes
    ----------
    fixed_effects : pandas.DataFrame
        One row per fixed term ("(Intercept)" first): term, level ("1", "2", "cross-level", "" for the
        intercept), coef, se, z, p, ci_lower, ci_upper (Wald).
    random_effects : pandas.DataFrame
        The variance components: group (the cluster column, or "Residual"), term1, term2 (None for a
        variance), variance (the variance, or the covariance of term1 and term2), sd (for variances),
        correlation (for covariances). Order as lme4's ``as.data.frame(VarCorr(fit))``: variances, covariances,
        residual.
    cluster_effects : pandas.DataFrame
        Conditional modes (BLUPs) of the random effects: cluster, n (residents), one column per random term.
    fit : dict
        loglik, deviance (-2 loglik; the REML criterion for REML fits), aic, bic, npar, criterion ("REML" or
        "ML"), n, n_clusters, min_cluster_size, mean_cluster_size, max_cluster_size, converged, singular.
    r2 : dict
        var_fixed, var_random, var_residual, marginal, conditional (Nakagawa-Schielzeth; see the module).
    vcov : pandas.DataFrame
        Covariance of the fixed effects.
    y, cluster : str
    x, w : list of str
        Level-1 and level-2 predictors (cluster means ``v_mean`` computed by the model included).
    random_slopes, interactions : list of str
    centering : dict
        Variable -> "group" or "grand" for the centred variables.
    reml : bool
    n, n_dropped, n_clusters : int
    level : float
    converged, singular : bool
    warnings : list of str
    """

    y: str
    x: list
    w: list
    cluster: str
    random_slopes: list
    interactions: list
    centering: dict
    reml: bool
    level: float
    n: int
    n_dropped: int
    n_clusters: int
    fixed_effects: pd.DataFrame
    random_effects: pd.DataFrame
    cluster_effects: pd.DataFrame
    fit: dict
    r2: dict
    vcov: pd.DataFrame
    converged: bool
    singular: bool
    warnings: list = field(default_factory=list)
    _design: _Design = field(default=None, repr=False)

    def __repr__(self) -> str:
        return (f"MultilevelResult(y={self.y!r}, cluster={self.cluster!r}, n={self.n}, "
                f"n_clusters={self.n_clusters}, {self.fit['criterion']}, converged={self.converged})")

    def refit(self, reml: bool) -> "MultilevelResult":
        """The same model estimated by REML (``reml=True``) or ML (lme4's ``refitML`` for ``reml=False``).

        Examples
        --------
        >>> ml = res.refit(reml=False)  # doctest: +SKIP
        """
        if bool(reml) == self.reml:
            return self
        return _result(self._design, reml=bool(reml), level=self.level, meta=self._meta())

    def _meta(self) -> dict:
        meta = {k: getattr(self, k) for k in ("y", "x", "w", "cluster", "random_slopes", "interactions",
                                              "centering", "n_dropped")}
        fe = self.fixed_effects
        meta["level2"] = {t for t, lv in zip(fe["term"], fe["level"]) if lv == "2"}
        return meta

    def summary(self) -> str:
        """Text in the layout of lme4's ``summary()``: fit, random effects, fixed effects, R^2.

        Examples
        --------
        >>> print(res.summary())  # doctest: +SKIP
        """
        from ._text import frame_text

        f = self.fit
        crit = "REML criterion" if self.reml else "deviance"
        sizes = f"{f['min_cluster_size']}-{f['max_cluster_size']} (mean {f['mean_cluster_size']:.1f})"
        lines = [f"Linear mixed model fit by {f['criterion']} (statsmodels MixedLM): {self.y}",
                 f"  n = {self.n} in {self.n_clusters} clusters of {self.cluster}, sizes {sizes}"
                 + (f"; {self.n_dropped} incomplete cases left out" if self.n_dropped else ""),
                 f"  logLik {f['loglik']:.4f}; {crit} {f['deviance']:.4f}; AIC {f['aic']:.4f}; BIC {f['bic']:.4f}"
                 f" (df = {f['npar']})"]
        if self.centering:
            lines.append("  Centred: " + ", ".join(f"{v} ({'within cluster' if how == 'group' else 'grand mean'})"
                                                   for v, how in self.centering.items()))
        lines += ["", "Random effects"]
        lines += frame_text(self.random_effects.fillna({"term2": ""}),
                            ["group", "term1", "term2", "variance", "sd", "correlation"])
        lines += ["", "Fixed effects (Wald z)"]
        lines += frame_text(self.fixed_effects, ["term", "level", "coef", "se", "z", "p", "ci_lower", "ci_upper"])
        lines += ["", f"R2 (Nakagawa-Schielzeth): marginal {self.r2['marginal']:.4f}, "
                      f"conditional {self.r2['conditional']:.4f}"]
        lines += [f"Note: {w}" for w in self.warnings]
        return "\n".join(lines)

    def to_table(self, kind: str | None = None, *, lang: str = "en", style: str = "apa", **options: Any):
        """Publication table: fixed effects by level, variance components and model fit (APA / three-line).

        Examples
        --------
        >>> res.to_table(lang="zh", style="three-line").to_docx("table4.docx")  # doctest: +SKIP
        """
        from ..tables.adapters import from_result

        return from_result(self, kind, lang=lang, style=style, **options)


def _result(design: _Design, *, reml: bool, level: float, meta: dict) -> MultilevelResult:
    est, converged, notes = _estimate(design, reml)
    n, p = design.X.shape
    q = design.Z.shape[1]
    beta, sigma2, loglik = est["beta"], est["sigma2"], -est["deviance"] / 2
    V = sigma2 * np.linalg.inv(est["xvx"])
    se = np.sqrt(np.diag(V))
    zq = float(sps.norm.ppf(0.5 + level / 2))
    zval = beta / se
    term_level = _term_levels(design.fixed_names, meta["level2"])
    fixed = pd.DataFrame({"term": list(design.fixed_names), "level": term_level, "coef": beta, "se": se,
                          "z": zval, "p": 2 * sps.norm.sf(np.abs(zval)), "ci_lower": beta - zq * se,
                          "ci_upper": beta + zq * se})
    T = sigma2 * est["psi"]
    random = _variance_components(T, sigma2, design.random_names, meta["cluster"])
    sizes = np.bincount(design.codes, minlength=len(design.labels))
    blups = pd.DataFrame(est["modes"], columns=list(design.random_names))
    blups.insert(0, "n", sizes)
    blups.insert(0, "cluster", design.labels)
    npar = p + q * (q + 1) // 2 + 1
    singular = _is_singular(est["psi"])
    var_fixed = float(np.var(design.X @ beta, ddof=1))
    var_random = float(np.mean(np.einsum("ij,jk,ik->i", design.Z, T, design.Z)))
    total = var_fixed + var_random + sigma2
    r2 = {"var_fixed": var_fixed, "var_random": var_random, "var_residual": sigma2,
          "marginal": var_fixed / total, "conditional": (var_fixed + var_random) / total}
    fit = {"loglik": loglik, "deviance": -2 * loglik, "aic": -2 * loglik + 2 * npar,
           "bic": -2 * loglik + np.log(n) * npar, "npar": npar, "criterion": "REML" if reml else "ML",
           "n": n, "n_clusters": len(design.labels), "min_cluster_size": int(sizes.min()),
           "mean_cluster_size": n / len(design.labels), "max_cluster_size": int(sizes.max()),
           "converged": converged, "singular": singular}
    if not converged:
        notes.append("the estimation did not converge; do not interpret these estimates")
    if singular:
        notes.append("boundary (singular) fit: a random-effect variance is (nearly) zero or a correlation of the "
                     "random effects is +/-1; simplify the random part (e.g. drop a random slope)")
    for note in notes:
        warn(f"multilevel model of {meta['y']}: {note}", EstimationWarning)
    names = list(design.fixed_names)
    return MultilevelResult(
        y=meta["y"], x=list(meta["x"]), w=list(meta["w"]), cluster=meta["cluster"],
        random_slopes=list(meta["random_slopes"]), interactions=list(meta["interactions"]),
        centering=dict(meta["centering"]), reml=reml, level=level, n=n, n_dropped=meta["n_dropped"],
        n_clusters=len(design.labels), fixed_effects=fixed, random_effects=random, cluster_effects=blups, fit=fit,
        r2=r2, vcov=pd.DataFrame(V, index=names, columns=names), converged=converged, singular=singular,
        warnings=notes, _design=design)


def _term_levels(names: Sequence[str], level2: set) -> list[str]:
    """"1" / "2" / "cross-level" by the variables of each term: level 2 when constant within clusters (every w=
    predictor, and an x= predictor that happens to be), else level 1; "" for the intercept."""
    out = []
    for t in names:
        if t == INTERCEPT:
            out.append("")
            continue
        levels = {"2" if v in level2 else "1" for v in t.split(":")}
        out.append(levels.pop() if len(levels) == 1 else "cross-level")
    return out


def _variance_components(T: np.ndarray, sigma2: float, names: Sequence[str], group: str) -> pd.DataFrame:
    q = len(names)
    rows = [{"group": group, "term1": names[i], "term2": None, "variance": T[i, i], "sd": np.sqrt(T[i, i]),
             "correlation": np.nan} for i in range(q)]
    for i in range(q):
        for k in range(i + 1, q):
            denom = np.sqrt(T[i, i] * T[k, k])
            rows.append({"group": group, "term1": names[i], "term2": names[k], "variance": T[i, k], "sd": np.nan,
                         "correlation": T[i, k] / denom if denom > 0 else np.nan})
    rows.append({"group": "Residual", "term1": None, "term2": None, "variance": sigma2, "sd": np.sqrt(sigma2),
                 "correlation": np.nan})
    return pd.DataFrame(rows)


# ============================================================================================ specification


def _names(value: Any, what: str) -> list[str]:
    if value is None:
        return []
    items = [value] if isinstance(value, str) else list(value) if isinstance(value, Sequence) else [value]
    if not all(isinstance(v, str) and v.strip() for v in items):
        raise ModelSpecificationError(f"{what} must be a column name or a list of column names, not {value!r}")
    return [v.strip() for v in items]


def _interaction_terms(interactions: Any, predictors: Sequence[str]) -> list[tuple[str, str]]:
    if interactions is None:
        return []
    if isinstance(interactions, str):
        items = [interactions]
    elif isinstance(interactions, Sequence):
        items = list(interactions)
    else:
        raise ModelSpecificationError(f"interactions= is a list of pairs, e.g. [('NET', 'PBL_mean')], not "
                                      f"{interactions!r}")
    out = []
    for it in items:
        if isinstance(it, str):
            pair = tuple(p.strip() for p in it.split(":"))
        else:
            pair = tuple(it) if isinstance(it, Sequence) else ()
        if len(pair) != 2 or not all(isinstance(v, str) for v in pair) or pair[0] == pair[1]:
            raise ModelSpecificationError(f"an interaction is a pair of two different predictors, ('x', 'w') or "
                                          f"'x:w', not {it!r}")
        unknown = [v for v in pair if v not in predictors]
        if unknown:
            raise ModelSpecificationError(f"interaction {':'.join(pair)}: {', '.join(unknown)} is not among the "
                                          "predictors x= / w= (name both variables of a product as predictors)")
        out.append(pair)
    terms = [":".join(sorted(p)) for p in out]  # a:b and b:a are the same product
    dup = sorted({t for t in terms if terms.count(t) > 1})
    if dup:
        raise ModelSpecificationError(f"interaction(s) named twice: {', '.join(dup)}")
    return out


def _centering(center_arg: Any, x: Sequence[str], w: Sequence[str]) -> dict[str, str]:
    if center_arg is None:
        return {}
    if not isinstance(center_arg, Mapping):
        raise ModelSpecificationError("center= maps predictors to 'group' or 'grand', e.g. "
                                      "{'NET': 'group', 'NORM': 'grand'}")
    out = {}
    for var, how in center_arg.items():
        if how is None:
            continue
        if var not in x and var not in w:
            raise ModelSpecificationError(f"center=: {var!r} is not among the predictors x= / w=")
        if how not in CENTERING:
            raise ModelSpecificationError(f"center=: {var!r} must be centred 'group' or 'grand' (or None), "
                                          f"not {how!r}")
        if how == "group" and var in w:
            raise ModelSpecificationError(f"center=: {var!r} is a level-2 predictor (the same within every cluster); "
                                          "centring it within clusters would make it 0 -- use 'grand'")
        out[var] = how
    return out


def _check_level2(frame: pd.DataFrame, codes: np.ndarray, w_columns: Sequence[str]) -> None:
    for v in w_columns:
        values = frame[v].to_numpy()
        lo = pd.Series(values).groupby(codes).min().to_numpy()
        hi = pd.Series(values).groupby(codes).max().to_numpy()
        varies = (hi - lo) > 1e-9 * (1 + np.abs(hi))
        if varies.any():
            raise DataError(f"level-2 predictor {v!r} varies within {int(varies.sum())} cluster(s); a level-2 "
                            "variable has one value per cluster. Put it in x= (level 1), or use its cluster mean "
                            f"'{v}{_MEAN_SUFFIX}' in w=")


def _check_clusters(codes: np.ndarray, n_clusters: int, q: int, what: str, cluster: str, labels=None,
                    min_cluster_size: int = 2) -> None:
    n = codes.size
    if n_clusters < 2:
        raise DataError(f"{what}: a multilevel model needs at least 2 clusters; the complete cases lie in "
                        f"{n_clusters} value(s) of {cluster!r}")
    sizes = np.bincount(codes, minlength=n_clusters)
    if n <= n_clusters:
        raise DataError(f"{what}: every cluster of {cluster!r} has a single resident, so the cluster variance "
                        "cannot be told apart from the residual variance")
    if q > 1 and n <= n_clusters * q:
        raise ModelSpecificationError(f"{what}: {n} residents are too few for {n_clusters * q} random effects "
                                      f"({q} per cluster); drop random slopes")
    small = np.flatnonzero(sizes < min_cluster_size)
    if len(small):
        ids = [str(labels[k]) if labels is not None else str(k) for k in small[:5]]
        raise DataError(f"{what}: {len(small)} cluster(s) of {cluster!r} with fewer than {min_cluster_size} "
                        f"resident(s) ({', '.join(ids)}{', ...' if len(small) > 5 else ''}): a community of one "
                        "resident is often a mistyped id and carries no within-community information; correct the "
                        "ids, drop those cases, or pass min_cluster_size=1 to keep them (as lme4 does)")
    single = int((sizes == 1).sum())
    if single:
        warn(f"{what}: {single} cluster(s) of {cluster!r} have a single resident; they are kept (as lme4 keeps "
             "them): they inform the fixed effects and the between-cluster variance but not the within-cluster "
             "part", ResilienceStatsWarning)


def _full_rank(X: np.ndarray, names: Sequence[str]) -> None:
    for k in range(1, X.shape[1] + 1):
        if np.linalg.matrix_rank(X[:, :k]) < k:
            raise ModelSpecificationError(f"the fixed-effect term {names[k - 1]!r} is a linear combination of the "
                                          "terms before it (collinear); drop it")


# ============================================================================================ the model


def multilevel(
    data: Any,
    y: str,
    x: str | Sequence[str] | None = None,
    w: str | Sequence[str] | None = None,
    *,
    cluster: str,
    random_slopes: str | Sequence[str] | None = None,
    interactions: Sequence[Any] | None = None,
    center: Mapping[str, str | None] | None = None,
    reml: bool = True,
    level: float = 0.95,
    min_cluster_size: int = 2,
) -> MultilevelResult:
    """Two-level linear mixed model: residents (level 1) in clusters (level 2), random intercepts and slopes.

    The lme4 equivalent of ``multilevel(d, "RES", x=["NET"], w=["PBL_mean"], cluster="community",
    random_slopes=["NET"], interactions=[("NET", "PBL_mean")], center={"NET": "group"})`` is
    ``lmer(RES ~ NET_cwc + PBL_mean + NET_cwc:PBL_mean + (1 + NET_cwc | community))`` with the centred
    variables computed beforehand.

    Parameters
    ----------
    data : SurveyWave or pandas.DataFrame
        Construct scores and other columns of a SurveyWave, or a DataFrame (never modified).
    y : str
        Outcome (a level-1 variable).
    x : str or list of str, optional
        Level-1 predictors (vary between residents of a cluster).
    w : str or list of str, optional
        Level-2 predictors (one value per cluster; checked). A name ``v_mean`` that is not a column of the
        data but whose stem ``v`` is, stands for the cluster mean of ``v`` (a contextual variable), computed
        on the cases the model uses.
    cluster : str
        Column of cluster ids (e.g. ``"community"``); a missing id is an error.
    random_slopes : str or list of str, optional
        Level-1 predictors (from ``x``) whose effect varies between clusters. The random intercept is always
        in the model; intercept and slopes have an unstructured covariance matrix (lme4's ``(1 + x | g)``).
    interactions : list of (str, str) or "a:b", optional
        Products of two predictors, e.g. the cross-level interaction ``("NET", "PBL_mean")`` (a level-2
        variable moderating a level-1 slope). Products are formed from the centred variables.
    center : dict, optional
        ``{variable: "group" | "grand" | None}``: group-mean centring (deviation from the cluster mean;
        level-1 predictors only) or grand-mean centring. Means are taken over the cases the model uses. The
        term keeps the variable's name; ``result.centering`` records what was done.
    reml : bool, default True
        REML (lme4's default) or ML. Compare models that differ in their fixed effects with
        :func:`deviance_test`, which refits with ML when needed.
    level : float, default 0.95
        Confidence level of the Wald intervals.
    min_cluster_size : int, default 2
        Clusters with fewer residents are an error (a community of one resident is often a mistyped id);
        ``min_cluster_size=1`` keeps them, as lme4 does (with a warning).

    Returns
    -------
    MultilevelResult
        ``fixed_effects``, ``random_effects``, ``cluster_effects``, ``fit``, ``r2``; ``.summary()``,
        ``.to_table()``, ``.refit(reml=...)``.

    Raises
    ------
    ModelSpecificationError
        A variable in two roles, a random slope on a level-2 variable or one that does not vary within
        clusters, interactions of unknown predictors, bad centring, collinear terms, more random effects
        than residents.
    DataError
        Unknown or non-numeric columns, a missing cluster id, fewer than 2 clusters, clusters smaller than
        ``min_cluster_size``, only single-resident clusters, a level-2 predictor that varies within a cluster,
        an outcome that does not.

    Warns
    -----
    ResilienceStatsWarning
        Clusters with a single resident kept with ``min_cluster_size=1`` (as lme4 keeps them: they carry
        information on the fixed effects and the intercept variance, and dropping them would change the
        estimates).
    EstimationWarning
        Non-convergence, a singular (boundary) fit; also listed in ``result.warnings``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(14)
    >>> community = np.repeat(np.arange(30), 20)
    >>> pbl = rng.normal(size=30)[community] + rng.normal(size=600)
    >>> res_score = 0.4 * pbl + rng.normal(0, 0.5, 30)[community] + rng.normal(size=600)
    >>> df = pd.DataFrame({"community": community, "PBL": pbl, "RES": res_score})
    >>> fit = multilevel(df, "RES", x="PBL", w="PBL_mean", cluster="community", center={"PBL": "group"})
    >>> fit.fixed_effects["term"].tolist()
    ['(Intercept)', 'PBL', 'PBL_mean']
    >>> fit.fixed_effects["level"].tolist()
    ['', '1', '2']
    >>> bool(abs(fit.fixed_effects["coef"].iloc[1] - 0.4) < 0.1), fit.fit["criterion"], fit.n_clusters
    (True, 'REML', 30)
    """
    if not isinstance(y, str) or not y:
        raise ModelSpecificationError("y= must name the outcome column")
    if not isinstance(cluster, str) or not cluster:
        raise ModelSpecificationError("cluster= must name the column of cluster ids (e.g. 'community')")
    if not isinstance(level, numbers.Real) or not 0.5 <= float(level) < 1:
        raise ModelSpecificationError(f"level must lie in [0.5, 1), not {level!r}")
    xs, ws = _names(x, "x="), _names(w, "w=")
    slopes = _names(random_slopes, "random_slopes=")
    roles = [y, *xs, *ws, cluster]
    dup = sorted({v for v in roles if roles.count(v) > 1})
    if dup:
        raise ModelSpecificationError(f"multilevel: each variable may play one role only; named twice: "
                                      f"{', '.join(dup)}")
    bad_slopes = [s for s in slopes if s not in xs]
    if bad_slopes:
        in_w = [s for s in bad_slopes if s in ws]
        raise ModelSpecificationError(
            f"random_slopes= {', '.join(bad_slopes)}: " + ("a level-2 predictor has one value per cluster, so its "
                                                          "effect cannot vary between clusters" if in_w else
                                                          "a random slope needs a level-1 predictor named in x="))
    if len(set(slopes)) < len(slopes):
        raise ModelSpecificationError("random_slopes= names a variable twice")
    pairs = _interaction_terms(interactions, [*xs, *ws])
    centering = _centering(center, xs, ws)

    table = variable_table(data)
    if cluster not in table.columns:
        raise DataError(f"multilevel: unknown cluster column {cluster!r}")
    derived = {v: v[: -len(_MEAN_SUFFIX)] for v in ws
               if v not in table.columns and v.endswith(_MEAN_SUFFIX) and v[: -len(_MEAN_SUFFIX)] in table.columns}
    _cluster_codes(table[cluster], "multilevel")  # every row needs a cluster id, complete or not
    needed = list(dict.fromkeys([y, *xs, *[v for v in ws if v not in derived], *derived.values()]))
    frame, dropped = model_frame(table, needed, what="multilevel model")
    codes, labels = _cluster_codes(table.loc[frame.index, cluster], "multilevel")
    n_clusters = len(labels)
    if int(min_cluster_size) < 1:
        raise ModelSpecificationError(f"min_cluster_size must be at least 1, not {min_cluster_size!r}")
    _check_clusters(codes, n_clusters, 1 + len(slopes), "multilevel model", cluster, labels, int(min_cluster_size))
    frame = frame.copy()
    for v, stem in derived.items():
        frame[v] = _group_means(frame[stem].to_numpy(), codes, n_clusters)
    _check_level2(frame, codes, [v for v in ws if v not in derived])
    yv = frame[y].to_numpy(dtype=float)
    if np.allclose(yv, _group_means(yv, codes, n_clusters)):
        raise DataError(f"multilevel model: the outcome {y!r} does not vary within any cluster of {cluster!r} (a "
                        "level-2 variable); model it with one row per cluster (an ordinary regression)")
    values = {}
    for v in [*xs, *ws]:
        col = frame[v].to_numpy(dtype=float)
        how = centering.get(v)
        if how == "group":
            col = col - _group_means(col, codes, n_clusters)
        elif how == "grand":
            col = col - col.mean()
        values[v] = col
    between_only = {v for v in xs if np.allclose(values[v], _group_means(values[v], codes, n_clusters))}
    for s in slopes:
        if s in between_only:
            raise ModelSpecificationError(f"random slope of {s!r}: it does not vary within clusters (a level-2 "
                                          "variable), so its effect cannot vary between them")
    fixed_names = [INTERCEPT, *xs, *ws, *(":".join(p) for p in pairs)]
    X = np.column_stack([np.ones(len(frame)), *(values[v] for v in [*xs, *ws]),
                         *(values[a] * values[b] for a, b in pairs)])
    _full_rank(X, fixed_names)
    Z = np.column_stack([np.ones(len(frame)), *(values[s] for s in slopes)])
    design = _Design(y=frame[y].to_numpy(dtype=float), X=X, Z=Z, codes=codes, labels=labels,
                     fixed_names=tuple(fixed_names), random_names=(INTERCEPT, *slopes))
    meta = {"y": y, "x": xs, "w": ws, "level2": set(ws) | between_only, "cluster": cluster,
            "random_slopes": slopes, "interactions": [":".join(p) for p in pairs], "centering": centering,
            "n_dropped": dropped}
    return _result(design, reml=bool(reml), level=float(level), meta=meta)


# ============================================================================================ ICC


def null_model_icc(data: Any, y: str, cluster: str, reml: bool = True) -> pd.DataFrame:
    """Intraclass correlation of the null (random-intercept-only) model and the design effect.

    ``icc = tau_00 / (tau_00 + sigma^2)`` from ``y_ij = gamma_00 + u_0j + e_ij`` (lme4's
    ``lmer(y ~ 1 + (1 | cluster))``); ``design_effect = 1 + (n / J - 1) icc`` (Kish), with ``n / J`` the mean
    cluster size: the factor by which clustering inflates the sampling variance of a mean.

    Parameters
    ----------
    data : SurveyWave or pandas.DataFrame
    y : str
        Outcome.
    cluster : str
        Column of cluster ids.
    reml : bool, default True
        REML (default, as lme4) or ML variance components.

    Returns
    -------
    pandas.DataFrame
        One row: y, n, n_clusters, mean_cluster_size, between_variance (tau_00), within_variance (sigma^2),
        icc, design_effect, criterion ("REML"/"ML"), converged.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(3)
    >>> g = np.repeat(np.arange(40), 25)
    >>> df = pd.DataFrame({"community": g, "RES": rng.normal(size=40)[g] + rng.normal(0, 2, size=1000)})
    >>> out = null_model_icc(df, "RES", "community")
    >>> out[["n", "n_clusters", "mean_cluster_size"]].values.tolist()
    [[1000.0, 40.0, 25.0]]
    >>> bool(0.1 < out["icc"].iloc[0] < 0.35)
    True
    """
    fit = multilevel(data, y, cluster=cluster, reml=reml)
    tau = float(fit.random_effects["variance"].iloc[0])
    sigma2 = float(fit.random_effects["variance"].iloc[-1])
    icc = tau / (tau + sigma2)
    m = fit.fit["mean_cluster_size"]
    return pd.DataFrame([{"y": y, "n": fit.n, "n_clusters": fit.n_clusters, "mean_cluster_size": m,
                          "between_variance": tau, "within_variance": sigma2, "icc": icc,
                          "design_effect": 1 + (m - 1) * icc, "criterion": fit.fit["criterion"],
                          "converged": fit.converged}])


# ============================================================================================ deviance tests


def _same_data(fits: Sequence[MultilevelResult]) -> None:
    first = fits[0]
    for f in fits[1:]:
        d0, d1 = first._design, f._design
        if (f.y != first.y or f.cluster != first.cluster or f.n != first.n or not np.array_equal(d0.y, d1.y)
                or not np.array_equal(d0.labels[d0.codes], d1.labels[d1.codes])):
            raise ModelSpecificationError("deviance_test: the models must be fitted to the same residents, outcome "
                                          "and clusters (the same complete cases; name every variable of the "
                                          "largest model when fitting the smaller ones, or drop incomplete rows "
                                          "first)")


def _spans(big: np.ndarray, small: np.ndarray) -> bool:
    """Whether every column of ``small`` lies in the column space of ``big``."""
    return np.linalg.matrix_rank(np.column_stack([big, small])) == np.linalg.matrix_rank(big)


def _nested(small: MultilevelResult, big: MultilevelResult) -> bool:
    """Nested in the column spaces of the fixed and of the random design (so raw and grand-mean centred
    versions of a main effect are interchangeable; a group-mean centred one is not)."""
    return _spans(big._design.X, small._design.X) and _spans(big._design.Z, small._design.Z)


def deviance_test(*fits: MultilevelResult, names: Sequence[str] | None = None,
                  refit: bool | str = "auto") -> pd.DataFrame:
    """Likelihood-ratio (deviance) tests between nested multilevel models, as lme4's ``anova()``.

    Models are ordered by their number of parameters; each row is tested against the row before it:
    ``chi2 = 2 max(0, loglik_k - loglik_(k-1))`` on the difference in parameters.

    Parameters
    ----------
    *fits : MultilevelResult
        Two or more nested models fitted to the same cases.
    names : list of str, optional
        Labels (default "Model 1", "Model 2", ... in the order given).
    refit : {"auto", True, False}
        How REML fits are compared. "auto" (default): when all models are REML fits with the same fixed
        effects (they differ only in the random part) their REML likelihoods are compared as fitted;
        otherwise every REML fit is refitted with ML (REML likelihoods of different fixed effects are not
        comparable). ``True``: refit every REML fit with ML (lme4's ``anova()`` default). ``False``: compare
        as fitted; an error when that is not valid (REML fits with different fixed effects, or REML mixed
        with ML).

    Returns
    -------
    pandas.DataFrame
        model, npar, aic, bic, loglik, deviance, chi2, df, p, likelihood ("REML", "ML", or "ML (refitted)":
        which likelihood was compared).

    Raises
    ------
    ModelSpecificationError
        Fewer than two models, models fitted to different cases, models that are not nested, an invalid
        ``refit=False`` comparison.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(5)
    >>> g = np.repeat(np.arange(30), 20)
    >>> df = pd.DataFrame({"community": g, "NET": rng.normal(size=600)})
    >>> df["RES"] = 0.3 * df["NET"] + rng.normal(size=30)[g] + rng.normal(size=600)
    >>> m0 = multilevel(df, "RES", cluster="community")
    >>> m1 = multilevel(df, "RES", x="NET", cluster="community")
    >>> out = deviance_test(m0, m1)
    >>> out["likelihood"].tolist(), int(out["df"].iloc[1])
    (['ML (refitted)', 'ML (refitted)'], 1)
    >>> bool(out["p"].iloc[1] < 0.001)
    True
    """
    if len(fits) < 2 or not all(isinstance(f, MultilevelResult) for f in fits):
        raise ModelSpecificationError("deviance_test compares two or more rs.multilevel() results")
    if refit not in ("auto", True, False):
        raise ModelSpecificationError(f"refit must be 'auto', True or False, not {refit!r}")
    labels = list(names) if names is not None else [f"Model {i + 1}" for i in range(len(fits))]
    if len(labels) != len(fits) or len(set(labels)) != len(labels):
        raise ModelSpecificationError("names= must give one distinct label per model")
    _same_data(fits)
    order = sorted(range(len(fits)), key=lambda i: fits[i].fit["npar"])
    ordered = [fits[i] for i in order]
    for small, big, i, k in zip(ordered, ordered[1:], order, order[1:]):
        if not _nested(small, big):
            raise ModelSpecificationError(f"deviance_test: {labels[i]} is not nested in {labels[k]} (the columns "
                                          "of its fixed and of its random part must lie in the larger model's)")
    remls = [f.reml for f in ordered]
    same_fixed = all(_spans(a._design.X, b._design.X) and _spans(b._design.X, a._design.X)
                     for a, b in zip(ordered, ordered[1:]))
    if refit is False:
        if any(remls) and not all(remls):
            raise ModelSpecificationError("deviance_test(refit=False): some models are REML fits and some ML fits")
        if all(remls) and not same_fixed:
            raise ModelSpecificationError("deviance_test(refit=False): REML likelihoods of models with different "
                                          "fixed effects are not comparable; use refit='auto' or True")
        use_ml = False
    elif refit is True:
        use_ml = True
    else:
        use_ml = not (all(remls) and same_fixed)
    compared = [f.refit(reml=False) if (use_ml and f.reml) else f for f in ordered]
    rows = []
    prev = None
    for f, orig, i in zip(compared, ordered, order):
        ll, npar = f.fit["loglik"], f.fit["npar"]
        row = {"model": labels[i], "npar": npar, "aic": f.fit["aic"], "bic": f.fit["bic"], "loglik": ll,
               "deviance": -2 * ll, "chi2": np.nan, "df": np.nan, "p": np.nan,
               "likelihood": "ML (refitted)" if (use_ml and orig.reml) else f.fit["criterion"]}
        if prev is not None:
            chi2 = 2 * max(0.0, ll - prev[0])
            df = npar - prev[1]
            row.update({"chi2": chi2, "df": df, "p": float(sps.chi2.sf(chi2, df)) if df > 0 else np.nan})
        rows.append(row)
        prev = (ll, npar)
    return pd.DataFrame(rows)
