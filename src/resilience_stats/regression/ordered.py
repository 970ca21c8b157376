"""Ordered logit (proportional odds) regression with odds ratios, average marginal effects and the Brant test.

The model ``P(Y <= j | x) = F(tau_j - x'b)`` (F logistic) is estimated by maximum likelihood with statsmodels'
``OrderedModel`` (the parametrization of R's ``MASS::polr``: a positive coefficient shifts responses upwards).

* Odds ratios ``exp(b)`` with intervals ``exp(b -/+ z se)``.
* Average marginal effects of each predictor on each category's probability,
  ``mean_i b_k [f(tau_(j-1) - x_i'b) - f(tau_j - x_i'b)]`` (the derivative, also for 0/1 predictors), with
  delta-method standard errors from the covariance of (b, tau).
* Brant (1990) test of proportional odds: the J - 1 binary logits of ``Y > j`` are fitted separately; the
  covariance of their stacked coefficients has blocks ``(X'W_jj X)^-1 X'W_jl X (X'W_ll X)^-1`` with
  ``W_jl = diag(pi_l - pi_j pi_l)`` (``j <= l``, ``pi_j = P(Y > j)`` of binary model ``j``); the Wald test of
  equal slopes across the J - 1 models is the omnibus test (df = (J - 2) K) and its rows per predictor the
  per-variable tests (df = J - 2), as Long & Freese's ``brant`` and R's ``brant`` package report.

Written around statsmodels rather than inside it: statsmodels has no marginal effects or Brant test for
``OrderedModel``.
"""

from __future__ import annotations

import numbers
import warnings
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np
import pandas as pd
from scipy import stats as sps

from ..errors import DataError, EstimationError, ModelSpecificationError
from ._data import model_frame

__all__ = ["OrderedLogitResult", "brant_test", "ordered_logit"]


@dataclass
class OrderedLogitResult:
    """An ordered logit model.

    Attributes
    ----------
    coefficients : pandas.DataFrame
        term, coef, se, z, p, ci_lower, ci_upper, odds_ratio, or_ci_lower, or_ci_upper.
    thresholds : pandas.DataFrame
        threshold ("1|2", ...), value, se, z, p (the cut points tau_j).
    marginal_effects : pandas.DataFrame
        term, category, ame, se, z, p, ci_lower, ci_upper.
    brant : pandas.DataFrame
        term ("omnibus" first, then each predictor), chi2, df, p.
    fit : dict
        n, llf, llnull, aic, bic, mcfadden_r2, lr_chi2, lr_df, lr_p.
    y : str
    x : list of str
    categories : list
        The ordered response values.
    n, n_dropped : int
    level : float
    converged : bool
    warnings : list of str
    """

    y: str
    x: list
    categories: list
    n: int
    n_dropped: int
    level: float
    converged: bool
    coefficients: pd.DataFrame
    thresholds: pd.DataFrame
    marginal_effects: pd.DataFrame
    brant: pd.DataFrame
    fit: dict
    warnings: list = field(default_factory=list)
    vcov: np.ndarray = field(default=None, repr=False)

    def __repr__(self) -> str:
        return (f"OrderedLogitResult(y={self.y!r}, x={self.x}, categories={len(self.categories)}, n={self.n}, "
                f"converged={self.converged})")

    def summary(self) -> str:
        """Text: fit, coefficients with odds ratios, thresholds, Brant test.

        Examples
        --------
        >>> print(res.summary())  # doctest: +SKIP
        """
        from ._text import frame_text

        f = self.fit
        lines = [f"Ordered logit of {self.y} ({len(self.categories)} categories), n = {self.n}"
                 + (f" ({self.n_dropped} incomplete cases left out)" if self.n_dropped else ""),
                 f"  log-likelihood {f['llf']:.4f}; LR chi2({f['lr_df']}) = {f['lr_chi2']:.3f}, p = {f['lr_p']:.4g}; "
                 f"McFadden R2 = {f['mcfadden_r2']:.4f}; AIC = {f['aic']:.3f}", "", "Coefficients"]
        lines += frame_text(self.coefficients, ["term", "coef", "se", "z", "p", "odds_ratio", "or_ci_lower",
                                                "or_ci_upper"])
        lines += ["", "Thresholds"] + frame_text(self.thresholds, ["threshold", "value", "se"])
        lines += ["", "Brant test of proportional odds"] + frame_text(self.brant, ["term", "chi2", "df", "p"])
        lines += [f"Note: {w}" for w in self.warnings]
        if not self.converged:
            lines.append("Note: the estimation did not converge; do not interpret these estimates")
        return "\n".join(lines)

    def to_table(self, kind: str | None = None, *, lang: str = "en", style: str = "apa", **options: Any):
        """Publication table: ``kind`` "coefficients" (default: B, SE, OR with CI, p) or "brant".

        Examples
        --------
        >>> res.to_table(lang="zh").to_html()  # doctest: +SKIP
        """
        from ..tables.adapters import from_result

        return from_result(self, kind, lang=lang, style=style, **options)


# ============================================================================================ Brant test


def _binary_logit(X: np.ndarray, yb: np.ndarray, maxiter: int = 100) -> tuple[np.ndarray, bool]:
    """Logistic regression by Newton-Raphson (IRLS); returns coefficients and whether it converged."""
    beta = np.zeros(X.shape[1])
    for _ in range(maxiter):
        eta = X @ beta
        pi = 1 / (1 + np.exp(-eta))
        w = pi * (1 - pi)
        step = np.linalg.solve((X * w[:, None]).T @ X, X.T @ (yb - pi))
        beta = beta + step
        if np.max(np.abs(step)) < 1e-10:
            return beta, True
    return beta, False


def brant_test(X: np.ndarray, codes: np.ndarray, names: Sequence[str]) -> tuple[pd.DataFrame, list[str]]:
    """Brant's (1990) Wald test of the proportional-odds assumption.

    Parameters
    ----------
    X : numpy.ndarray, (n, K)
        Predictors (no constant).
    codes : numpy.ndarray of int
        Response categories coded 0 .. J-1 (J >= 3).
    names : sequence of str
        Names of the K predictors.

    Returns
    -------
    (pandas.DataFrame, list of str)
        term ("omnibus", then each predictor), chi2, df, p; and warnings (e.g. a binary logit that did not
        converge, a category split with no variation).

    Examples
    --------
    >>> rng = np.random.default_rng(3)
    >>> x = rng.normal(size=(400, 1))
    >>> codes = np.digitize(x[:, 0] + rng.logistic(size=400), [-1.0, 0.0, 1.0])
    >>> bool(brant_test(x, codes, ["x"])[0]["p"].iloc[0] > 0.01)
    True
    """
    n, K = X.shape
    J = int(codes.max()) + 1
    Xc = np.column_stack([np.ones(n), X])
    notes: list[str] = []
    betas, pis = [], []
    for j in range(J - 1):
        yb = (codes > j).astype(float)
        if yb.min() == yb.max():
            raise DataError(f"the Brant test needs responses on both sides of every threshold; none at split {j + 1}")
        b, ok = _binary_logit(Xc, yb)
        if not ok:
            notes.append(f"the binary logit of Y > {j + 1} did not converge (separation?); the Brant test is "
                         "unreliable")
        betas.append(b)
        pis.append(1 / (1 + np.exp(-(Xc @ b))))
    k1 = K + 1
    V = np.zeros(((J - 1) * k1, (J - 1) * k1))
    inv = [np.linalg.inv((Xc * (p * (1 - p))[:, None]).T @ Xc) for p in pis]
    for j in range(J - 1):
        for m in range(j, J - 1):
            w = pis[m] - pis[j] * pis[m]
            block = inv[j] @ ((Xc * w[:, None]).T @ Xc) @ inv[m]
            V[j * k1:(j + 1) * k1, m * k1:(m + 1) * k1] = block
            V[m * k1:(m + 1) * k1, j * k1:(j + 1) * k1] = block.T
    beta = np.concatenate(betas)

    def wald(vars_: list[int]) -> tuple[float, int]:
        rows = []
        for j in range(1, J - 1):
            for k in vars_:
                d = np.zeros(len(beta))
                d[k + 1] = 1.0
                d[j * k1 + 1 + k] = -1.0
                rows.append(d)
        D = np.array(rows)
        diff = D @ beta
        stat = float(diff @ np.linalg.solve(D @ V @ D.T, diff))
        return stat, len(rows)

    out = []
    stat, df = wald(list(range(K)))
    out.append({"term": "omnibus", "chi2": stat, "df": df, "p": float(sps.chi2.sf(stat, df))})
    for k, name in enumerate(names):
        stat, df = wald([k])
        out.append({"term": name, "chi2": stat, "df": df, "p": float(sps.chi2.sf(stat, df))})
    return pd.DataFrame(out), notes


# ============================================================================================ marginal effects


def _ame(theta: np.ndarray, X: np.ndarray, K: int) -> np.ndarray:
    """Average marginal effects (K x J, flattened) from theta = (b, tau)."""
    b, tau = theta[:K], theta[K:]
    eta = X @ b
    cuts = np.concatenate([[-np.inf], tau, [np.inf]])
    z = cuts[None, :] - eta[:, None]
    with np.errstate(over="ignore"):
        dens = np.where(np.isfinite(z), np.exp(-np.abs(z)) / (1 + np.exp(-np.abs(z))) ** 2, 0.0)
    dp = dens[:, :-1] - dens[:, 1:]  # P_j = F(cut_(j+1) - eta) - F(cut_j - eta): dP_j/d eta = f(cut_j) - f(cut_(j+1))
    return (b[:, None] * dp.mean(axis=0)[None, :]).ravel()


def _jacobian(fn, theta: np.ndarray) -> np.ndarray:
    base = fn(theta)
    J = np.empty((base.size, theta.size))
    for i in range(theta.size):
        h = 1e-6 * max(1.0, abs(theta[i]))
        up, dn = theta.copy(), theta.copy()
        up[i] += h
        dn[i] -= h
        J[:, i] = (fn(up) - fn(dn)) / (2 * h)
    return J


# ============================================================================================ the model


def ordered_logit(data: Any, y: str, x: str | Sequence[str], level: float = 0.95) -> OrderedLogitResult:
    """Proportional-odds (ordered logit) regression of an ordinal outcome.

    Parameters
    ----------
    data : SurveyWave or pandas.DataFrame
        Construct scores and other columns of a SurveyWave, or a DataFrame.
    y : str
        Ordinal outcome with at least three categories (numeric codes, ordered by value).
    x : str or list of str
        Predictors (numeric).
    level : float, default 0.95

    Returns
    -------
    OrderedLogitResult
        ``coefficients`` (with odds ratios), ``thresholds``, ``marginal_effects``, ``brant``, ``fit``.

    Raises
    ------
    ModelSpecificationError
        No predictor, the outcome among the predictors, bad level.
    DataError
        Unknown or non-numeric columns, fewer than three categories, an empty category split.
    EstimationError
        The likelihood could not be maximized at all.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(4)
    >>> df = pd.DataFrame({"PBL": rng.normal(size=300)})
    >>> df["trust"] = np.digitize(0.8 * df["PBL"] + rng.logistic(size=300), [-1.5, 0.0, 1.5]) + 1
    >>> res = ordered_logit(df, "trust", ["PBL"])
    >>> bool(res.coefficients["odds_ratio"].iloc[0] > 1), res.categories
    (True, [1.0, 2.0, 3.0, 4.0])
    """
    from statsmodels.miscmodels.ordinal_model import OrderedModel

    xs = [x] if isinstance(x, str) else list(x or [])
    if not xs:
        raise ModelSpecificationError("ordered_logit needs at least one predictor x=")
    if y in xs:
        raise ModelSpecificationError(f"the outcome {y!r} cannot also be a predictor")
    if not isinstance(level, numbers.Real) or not 0.5 <= float(level) < 1:
        raise ModelSpecificationError(f"level must lie in [0.5, 1), not {level!r}")
    frame, dropped = model_frame(data, [*xs, y], what="ordered logit")
    categories = sorted(frame[y].unique().tolist())
    if len(categories) < 3:
        raise DataError(f"ordered logit needs an outcome with at least 3 ordered categories; {y!r} has "
                        f"{len(categories)} (use a binary logit)")
    codes = np.searchsorted(categories, frame[y].to_numpy())
    X = frame[xs].to_numpy()
    K, J = len(xs), len(categories)
    model = OrderedModel(codes, X, distr="logit")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            res = model.fit(method="bfgs", maxiter=5000, disp=False, gtol=1e-9)
        except (np.linalg.LinAlgError, ValueError) as exc:
            raise EstimationError(f"the ordered logit could not be estimated: {exc}") from exc
    notes = list(dict.fromkeys(str(w.message) for w in caught if "converge" in str(w.message).lower()))
    converged = bool(res.mle_retvals.get("converged", False))
    raw = np.asarray(res.params, dtype=float)
    cov_raw = np.asarray(res.cov_params(), dtype=float)
    # natural parameters theta = (b, tau) and their covariance (delta method through the cumulated increments)
    tau = model.transform_threshold_params(raw)[1:-1]
    G = np.zeros((K + J - 1, K + J - 1))
    G[:K, :K] = np.eye(K)
    for j in range(J - 1):
        G[K + j, K] = 1.0
        for i in range(1, j + 1):
            G[K + j, K + i] = np.exp(raw[K + i])
    theta = np.concatenate([raw[:K], tau])
    V = G @ cov_raw @ G.T
    se = np.sqrt(np.diag(V))
    zq = float(sps.norm.ppf(0.5 + level / 2))
    b, sb = theta[:K], se[:K]
    coefs = pd.DataFrame({"term": xs, "coef": b, "se": sb, "z": b / sb, "p": 2 * sps.norm.sf(np.abs(b / sb)),
                          "ci_lower": b - zq * sb, "ci_upper": b + zq * sb})
    coefs["odds_ratio"] = np.exp(coefs["coef"])
    coefs["or_ci_lower"] = np.exp(coefs["ci_lower"])
    coefs["or_ci_upper"] = np.exp(coefs["ci_upper"])
    labels = [f"{_lab(categories[j])}|{_lab(categories[j + 1])}" for j in range(J - 1)]
    st = se[K:]
    thresholds = pd.DataFrame({"threshold": labels, "value": tau, "se": st, "z": tau / st,
                               "p": 2 * sps.norm.sf(np.abs(tau / st))})
    ame = _ame(theta, X, K)
    Jm = _jacobian(lambda t: _ame(t, X, K), theta)
    ame_se = np.sqrt(np.clip(np.einsum("ij,jk,ik->i", Jm, V, Jm), 0, None))
    me = pd.DataFrame({"term": np.repeat(xs, J), "category": [categories[j] for _ in xs for j in range(J)],
                       "ame": ame, "se": ame_se})
    me["z"] = me["ame"] / me["se"]
    me["p"] = 2 * sps.norm.sf(np.abs(me["z"]))
    me["ci_lower"] = me["ame"] - zq * me["se"]
    me["ci_upper"] = me["ame"] + zq * me["se"]
    brant, bnotes = brant_test(X, codes, xs)
    counts = np.bincount(codes, minlength=J)
    llnull = float(np.sum(counts * np.log(counts / counts.sum())))
    llf = float(res.llf)
    lr = 2 * (llf - llnull)
    fit = {"n": len(frame), "llf": llf, "llnull": llnull, "aic": -2 * llf + 2 * (K + J - 1),
           "bic": -2 * llf + np.log(len(frame)) * (K + J - 1), "mcfadden_r2": 1 - llf / llnull, "lr_chi2": lr,
           "lr_df": K, "lr_p": float(sps.chi2.sf(lr, K))}
    if not converged:
        notes.append("the maximum-likelihood estimation did not converge")
    return OrderedLogitResult(y=y, x=xs, categories=categories, n=len(frame), n_dropped=dropped, level=float(level),
                              converged=converged, coefficients=coefs, thresholds=thresholds, marginal_effects=me,
                              brant=brant, fit=fit, warnings=notes + bnotes, vcov=V)


def _lab(v: Any) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:g}"
