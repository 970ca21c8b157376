"""Exploratory factor analysis matching ``psych::fa`` (minres / ml / principal axis; oblimin / promax /
varimax / none).

Steps, as psych 2.2.9 does them:

1. correlations over pairwise complete cases (``missing="pairwise"``, psych's default) or complete cases;
   ``n_obs`` is the number of rows (psych's ``n.obs`` for raw data);
2. unrotated extraction (see :mod:`._fa`), columns signed so that loading sums are positive;
3. rotation (:mod:`.rotation`), columns signed again, then ordered by the variance they account for,
   ``diag(Phi L'L)``; ``phi`` is re-ordered and re-signed together with the columns;
4. statistics of psych's ``factor.stats``: the ML-type objective of the model-implied matrix, the Bartlett
   corrected chi square ``(n - 1 - (2p + 5)/6 - 2k/3) * F``, degrees of freedom ``p(p-1)/2 - pk + k(k-1)/2``,
   Tucker-Lewis index and RMSEA with its 90% interval.

Communalities are ``diag(L0 L0')`` of the unrotated loadings (= ``rowSums(pattern * structure)`` for an
oblique solution, = ``rowSums(pattern^2)`` for an orthogonal one); uniquenesses are ``1 - communality``.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import optimize, stats

from .._blas import one_blas_thread
from ..errors import DataError, EstimationWarning, ResilienceStatsWarning
from ._common import check_items, cor_smooth, pairwise_corr, resolve_items
from ._fa import extract
from .rotation import rotate as _rotate

__all__ = ["EFAResult", "efa", "fa_statistics", "correlation_input", "analysis_correlation", "Solution", "solve"]

_METHODS = ("minres", "ml", "principal")
_ROTATIONS = ("oblimin", "promax", "varimax", "none")
_PREFIX = {"minres": "MR", "ml": "ML", "principal": "PA"}
_CORS = ("pearson", "poly")


@dataclass(repr=False)
class EFAResult:
    """Result of :func:`efa`.

    Attributes
    ----------
    loadings : pandas.DataFrame
        Pattern matrix (items x factors); factors ordered by variance accounted for, signed positive.
    structure : pandas.DataFrame
        Structure matrix ``loadings @ phi`` (equal to ``loadings`` for orthogonal rotations).
    phi : pandas.DataFrame
        Factor correlations (identity for orthogonal rotations), in the order and sign of ``loadings``.
    communalities, uniquenesses : pandas.Series
        ``h2`` and ``u2 = 1 - h2``.
    variance : pandas.DataFrame
        One row per factor: ``ss_loadings`` (``diag(phi L'L)``), ``proportion_var``, ``cumulative_var``,
        ``proportion_explained``, ``cumulative_proportion``.
    chisq, df, p_value, tli, rmsea : float
        psych's ``STATISTIC``, ``dof``, ``PVAL``, ``TLI``, ``RMSEA`` (NaN where undefined: ``p_value`` and
        RMSEA need ``df > 0``; see ``warnings``).
    rmsea_ci : tuple of float
        90% confidence interval of the RMSEA.
    objective : float
        The fit function value ``F``.
    rms : float
        Root mean square of the off-diagonal residuals (psych's ``rms``, pairwise-n weighted).
    flags : pandas.DataFrame
        Per item: ``primary_factor``, ``max_abs_loading``, ``n_salient`` (|loading| >= ``cross_cut``),
        ``cross_loading`` (salient on 2+ factors), ``weak`` (max |loading| < ``weak_cut``), ``heywood``
        (communality >= .995, i.e. uniqueness at psych's bound .005, or above 1).
    eigenvalues : pandas.DataFrame
        ``observed`` eigenvalues of R and ``reduced`` ones (communalities on the diagonal).
    n_obs : int
    method, rotation : str
    converged : bool
    correlation : pandas.DataFrame
        The analysed correlation matrix.
    warnings : list of str
    cor : {"pearson", "poly"}
        Pearson correlations, or polychoric correlations (``psych::fa.poly``).
    """

    loadings: pd.DataFrame
    structure: pd.DataFrame
    phi: pd.DataFrame
    communalities: pd.Series
    uniquenesses: pd.Series
    variance: pd.DataFrame
    chisq: float
    df: float
    p_value: float
    tli: float
    rmsea: float
    rmsea_ci: tuple[float, float]
    objective: float
    rms: float
    flags: pd.DataFrame
    eigenvalues: pd.DataFrame
    n_obs: int
    method: str
    rotation: str
    converged: bool
    correlation: pd.DataFrame
    warnings: list[str] = field(default_factory=list)
    cor: str = "pearson"

    def __repr__(self) -> str:
        k = self.loadings.shape[1]
        return (f"EFAResult(method={self.method!r}, rotation={self.rotation!r}, cor={self.cor!r}, "
                f"items={self.loadings.shape[0]}, "
                f"factors={k}, n_obs={self.n_obs}, chisq={self.chisq:.2f}, df={self.df:g}, "
                f"tli={self.tli:.3f}, rmsea={self.rmsea:.3f}, cross_loading={int(self.flags['cross_loading'].sum())}, "
                f"weak={int(self.flags['weak'].sum())}, warnings={len(self.warnings)})")

    def to_table(self, kind: str | None = None, *, lang: str = "en", style: str = "apa", number: int | None = None,
                 title=None, instrument=None, **options):
        """The EFA loadings as a publication table (small loadings suppressed, communalities).

        ``kind``, ``lang``, ``style``, ``number``, ``title``, ``instrument`` and ``**options`` as in
        :func:`resilience_stats.tables.from_result`; returns a :class:`~resilience_stats.tables.PubTable`.
        """
        from ..tables.adapters import from_result  # presentation is imported only when asked for

        return from_result(self, kind, lang=lang, style=style, number=number, title=title, instrument=instrument,
                           **options)


def _checked_items(data: Any, constructs, reverse, missing: str, what: str) -> pd.DataFrame:
    if missing not in ("pairwise", "listwise"):
        raise DataError(f"missing must be 'pairwise' or 'listwise', got {missing!r}")
    items = resolve_items(data, constructs, reverse).items
    if missing == "listwise":
        items = items.dropna(how="any")
    check_items(items, what)
    return items


def _check_matrix(r: np.ndarray, names: list[str], what: str) -> None:
    if np.isnan(r).any():
        i, j = np.argwhere(np.isnan(r))[0]
        raise DataError(f"{what}: items {names[i]} and {names[j]} have too few joint observations for a correlation")
    _check_singular(r, names, what)


def correlation_input(data: Any, constructs=None, reverse=None, missing: str = "pairwise",
                      what: str = "analysis") -> tuple[np.ndarray, list[str], int, np.ndarray]:
    """Items -> (correlation matrix, item names, n_obs, pairwise counts), with the bad-input checks."""
    items = _checked_items(data, constructs, reverse, missing, what)
    x = items.to_numpy()
    r = pairwise_corr(x)
    names = list(items.columns)
    _check_matrix(r, names, what)
    m = (~np.isnan(x)).astype(float)
    return r, names, int(x.shape[0]), m.T @ m


def analysis_correlation(data: Any, constructs=None, reverse=None, missing: str = "pairwise",
                         cor: str = "pearson", what: str = "analysis"
                         ) -> tuple[np.ndarray, list[str], int, np.ndarray | None, list[str]]:
    """Items -> (correlation matrix, item names, n_obs, pairwise counts or None, notes).

    ``cor="pearson"``: :func:`correlation_input`.  ``cor="poly"``: polychoric correlations as ``psych::fa.poly``
    computes them (``polychoric`` with global thresholds; ``n_obs`` is the number of rows; no pairwise counts,
    as psych's ``fa`` gets a correlation matrix).  psych switches to tetrachoric or mixed correlations when an
    item has 2 or more than 8 distinct values; those are not implemented here, so such items are refused.
    """
    with one_blas_thread():
        return _analysis_correlation(data, constructs, reverse, missing, cor, what)


def _analysis_correlation(data, constructs, reverse, missing, cor, what):
    if cor not in _CORS:
        raise DataError(f"{what}: cor must be one of {_CORS}, got {cor!r}")
    if cor == "pearson":
        r, names, n_obs, np_obs = correlation_input(data, constructs, reverse, missing, what)
        return r, names, n_obs, np_obs, []
    from .polychoric import polychoric  # polychoric imports nothing from here; kept local to the poly path

    items = _checked_items(data, constructs, reverse, missing, what)
    n_values = items.nunique()
    odd = [f"{c} ({n})" for c, n in n_values.items() if n < 3 or n > 8]
    if odd:
        raise DataError(f"{what}: cor='poly' needs items with 3 to 8 distinct response values; "
                        f"{', '.join(odd)} do not (psych::fa.poly would switch to tetrachoric or mixed "
                        "correlations, which are not implemented): use cor='pearson' or recode the items")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        pc = polychoric(items)  # psych's global = TRUE (per-pair thresholds for unequal categories)
    notes = [str(w.message) for w in caught if issubclass(w.category, ResilienceStatsWarning)]
    r = pc.corr.to_numpy()
    names = list(pc.corr.columns)
    _check_matrix(r, names, what)
    return r, names, int(items.shape[0]), None, notes


def _check_singular(r: np.ndarray, names: list[str], what: str) -> None:
    vals = np.linalg.eigvalsh(r)
    if vals.min() > 1e-8:
        return
    iu, ju = np.triu_indices_from(r, 1)
    dup = [f"{names[i]}~{names[j]}" for i, j in zip(iu, ju) if abs(r[i, j]) > 1 - 1e-8]
    hint = f" (perfectly correlated/duplicated items: {', '.join(dup)})" if dup else " (linearly dependent items)"
    raise DataError(f"{what}: the correlation matrix is singular{hint}; drop redundant items")


def _rmsea_bound(chisq: float, df: float, n: float, target: float) -> float:
    f = lambda ncp: stats.ncx2.cdf(chisq, df, ncp) - target if ncp > 0 else stats.chi2.cdf(chisq, df) - target
    upper = max(n, chisq) + 2 * n
    try:
        root = optimize.brentq(f, 0.0, upper)
    except ValueError:
        return float("nan")
    return float(np.sqrt(root / (n - 1) / df))


def fa_statistics(r: np.ndarray, loadings: np.ndarray, phi: np.ndarray | None, n_obs: int,
                  np_obs: np.ndarray | None = None) -> dict[str, float]:
    """psych's ``factor.stats`` essentials: objective, chisq, df, p, TLI, RMSEA (+ 90% CI), rms."""
    with one_blas_thread():
        return _fa_statistics(r, loadings, phi, n_obs, np_obs)


def _fa_statistics(r: np.ndarray, loadings: np.ndarray, phi: np.ndarray | None, n_obs: int,
                   np_obs: np.ndarray | None) -> dict[str, float]:
    p, k = loadings.shape
    model = loadings @ (phi if phi is not None else np.eye(k)) @ loadings.T
    resid = r - model
    np.fill_diagonal(resid, 0.0)
    dof = p * (p - 1) / 2 - p * k + k * (k - 1) / 2
    if np_obs is None:
        rms = float(np.sqrt((resid**2).sum() / (p * (p - 1))))
    else:
        nh = stats.hmean(np_obs.ravel())
        rms = float(np.sqrt((resid**2 * np_obs).sum() / (nh * p * (p - 1))))
    np.fill_diagonal(model, np.diag(r))
    rs, _ = cor_smooth(r)
    try:
        m_inv_r = np.linalg.solve(model, rs)
        sign, logdet = np.linalg.slogdet(m_inv_r)
        objective = float(np.trace(m_inv_r) - logdet - p) if sign > 0 else float("inf")
    except np.linalg.LinAlgError:
        objective = float("inf")
    nm = (n_obs - 1) - (2 * p + 5) / 6 - (2 * k) / 3
    chisq = max(objective * nm, 0.0)
    p_value = float(stats.chi2.sf(chisq, dof)) if dof > 0 else float("nan")
    sign0, logdet0 = np.linalg.slogdet(rs)
    f0 = float(np.trace(rs) - logdet0 - p)
    m0 = f0 * 2 / (p * (p - 1))
    mm = objective / dof if dof != 0 else float("nan")
    tli = float((m0 - mm) / (m0 - 1 / nm)) if dof > 0 else float("nan")
    if dof > 0:
        rmsea = float(np.sqrt(max(chisq / (dof * n_obs) - 1 / (n_obs - 1), 0.0)))
        tail = 0.05
        upper = _rmsea_bound(chisq, dof, n_obs, tail) if stats.chi2.cdf(chisq, dof) > tail else 0.0
        lower = _rmsea_bound(chisq, dof, n_obs, 1 - tail) if stats.chi2.cdf(chisq, dof) > 1 - tail else 0.0
    else:
        rmsea = lower = upper = float("nan")
    return {"objective": objective, "chisq": chisq, "df": dof, "p_value": p_value, "tli": tli, "rmsea": rmsea,
            "rmsea_lower": lower, "rmsea_upper": upper, "rms": rms,
            "null_chisq": f0 * ((n_obs - 1) - (2 * p + 5) / 6), "null_df": p * (p - 1) / 2}


@dataclass
class Solution:
    """A rotated factor solution of a correlation matrix, as ``psych::fa`` returns it (see :func:`solve`)."""

    pattern: np.ndarray          # p x k, columns signed positive and ordered by variance accounted for
    phi: np.ndarray              # k x k factor correlations in the same order (identity when orthogonal)
    ss: np.ndarray               # diag(phi L'L) per factor
    oblique: bool
    extraction: Any              # the unrotated _fa.Extraction
    notes: list[str]
    converged: bool


def solve(r: np.ndarray, n_factors: int, method: str = "minres", rotation: str = "oblimin") -> Solution:
    """Extract, rotate, sign and order a ``n_factors`` solution of ``r`` (steps 2-3 of the module docstring)."""
    k = int(n_factors)
    notes: list[str] = []
    with one_blas_thread():
        ext = extract(r, k, {"principal": "pa"}.get(method, method))
        lam0 = ext.loadings.copy()
        lam0[lam0 == 0.0] = 1e-15
        rot = _rotate(lam0, rotation if k > 1 else "none")
    if not ext.converged:
        notes.append(f"extraction did not converge: {ext.message}")
    if not rot.converged:
        notes.append(f"{rotation} rotation did not converge in {rot.iterations} iterations")
    pattern = rot.loadings
    oblique = rotation in ("oblimin", "promax") and k > 1
    phi = rot.phi if oblique else np.eye(k)
    sgn = np.sign(pattern.sum(axis=0))
    sgn[sgn == 0] = 1.0
    pattern = pattern * sgn
    phi = phi * np.outer(sgn, sgn)
    ss = np.diag(phi @ pattern.T @ pattern)
    order = np.argsort(-ss, kind="stable") if k > 1 else np.arange(k)
    return Solution(pattern=pattern[:, order], phi=phi[np.ix_(order, order)], ss=ss[order], oblique=oblique,
                    extraction=ext, notes=notes, converged=bool(ext.converged and rot.converged))


def efa(
    data: Any,
    n_factors: int,
    method: str = "minres",
    rotation: str = "oblimin",
    *,
    constructs: Mapping[str, Sequence[str]] | None = None,
    reverse: Sequence[str] | None = None,
    missing: str = "pairwise",
    cross_cut: float = 0.30,
    weak_cut: float = 0.40,
    cor: str = "pearson",
) -> EFAResult:
    """Exploratory factor analysis as ``psych::fa`` (``cor="poly"``: as ``psych::fa.poly``).

    Parameters
    ----------
    data : SurveyWave or pandas.DataFrame
        All items of the wave (or of ``constructs``), or all columns of the DataFrame.
    n_factors : int
        Number of factors; the model must have ``df >= 0`` (``p(p-1)/2 - pk + k(k-1)/2``).
    method : {"minres", "ml", "principal"}
        Extraction; ``"principal"`` is iterated principal axis factoring (psych ``fm = "pa"``), not PCA.
    rotation : {"oblimin", "promax", "varimax", "none"}
    constructs, reverse : optional
        Item selection and reverse-keyed items (see :func:`~resilience_stats.psychometrics.reliability`).
    missing : {"pairwise", "listwise"}
        Pairwise complete correlations (psych's default) or complete cases only.
    cross_cut, weak_cut : float
        Flag items with |loading| >= ``cross_cut`` on 2+ factors, or max |loading| < ``weak_cut``.
    cor : {"pearson", "poly"}
        Factor Pearson correlations (``psych::fa``) or polychoric correlations of ordinal items
        (``psych::fa.poly``: items with 3 to 8 response values; ``n_obs`` is the number of rows and ``rms`` is
        not weighted by pairwise counts, as there).

    Returns
    -------
    EFAResult

    Raises
    ------
    DataError
        Bad items (see :func:`~resilience_stats.psychometrics.item_analysis`), a singular correlation matrix,
        ``n_factors`` < 1 or giving negative degrees of freedom, unknown method/rotation/cor, ``cor="poly"``
        with items that have 2 or more than 8 distinct values.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> f = rng.normal(size=(500, 2))
    >>> lam = np.array([[.8, 0], [.7, 0], [.6, 0], [0, .8], [0, .7], [0, .6]])
    >>> x = f @ lam.T + rng.normal(size=(500, 6)) * np.sqrt(1 - (lam**2).sum(1))
    >>> res = efa(pd.DataFrame(x, columns=list("abcdef")), 2, rotation="varimax")
    >>> res.loadings.abs().idxmax(axis=1).tolist()
    ['MR1', 'MR1', 'MR1', 'MR2', 'MR2', 'MR2']
    """
    if method not in _METHODS:
        raise DataError(f"method must be one of {_METHODS}, got {method!r}")
    if rotation not in _ROTATIONS:
        raise DataError(f"rotation must be one of {_ROTATIONS}, got {rotation!r}")
    r, names, n_obs, np_obs, notes = analysis_correlation(data, constructs, reverse, missing, cor, what="efa")
    p = len(names)
    k = int(n_factors)
    if k < 1 or k != n_factors:
        raise DataError(f"efa: n_factors must be a positive integer, got {n_factors!r}")
    dof = p * (p - 1) / 2 - p * k + k * (k - 1) / 2
    if k > p or dof < 0:
        raise DataError(f"efa: {k} factors cannot be identified from {p} items (degrees of freedom {dof:g} < 0); "
                        "use fewer factors or more items")
    sol = solve(r, k, method, rotation)
    notes += sol.notes
    ext, pattern, phi, ss, oblique = sol.extraction, sol.pattern, sol.phi, sol.ss, sol.oblique
    structure = pattern @ phi
    h2 = ext.communality
    u2 = 1.0 - h2
    cols = [f"{_PREFIX[method]}{i + 1}" for i in range(k)]
    st = fa_statistics(r, pattern, phi if oblique else None, n_obs, np_obs)
    if dof == 0:
        notes.append("the model has 0 degrees of freedom: p value, TLI and RMSEA are undefined (NaN)")
    heywood = h2 >= 0.995 - 1e-9          # uniqueness at psych's lower bound (.005) or communality above 1
    if heywood.any():
        notes.append("Heywood case (communality >= .995, uniqueness at its bound) for: "
                     + ", ".join(np.array(names)[heywood]))
    vtotal = float((h2 + u2).sum())
    variance = pd.DataFrame({
        "ss_loadings": ss,
        "proportion_var": ss / vtotal,
        "cumulative_var": np.cumsum(ss / vtotal),
        "proportion_explained": ss / ss.sum(),
        "cumulative_proportion": np.cumsum(ss / ss.sum()),
    }, index=pd.Index(cols, name="factor"))
    absl = np.abs(pattern)
    n_sal = (absl >= cross_cut).sum(axis=1)
    flags = pd.DataFrame({
        "primary_factor": np.array(cols)[absl.argmax(axis=1)],
        "max_abs_loading": absl.max(axis=1),
        "n_salient": n_sal,
        "cross_loading": n_sal >= 2,
        "weak": absl.max(axis=1) < weak_cut,
        "heywood": heywood,
    }, index=pd.Index(names, name="item"))
    for msg in notes:
        warnings.warn(f"efa: {msg}", EstimationWarning, stacklevel=2)
    return EFAResult(
        loadings=pd.DataFrame(pattern, index=names, columns=cols),
        structure=pd.DataFrame(structure, index=names, columns=cols),
        phi=pd.DataFrame(phi, index=cols, columns=cols),
        communalities=pd.Series(h2, index=names, name="h2"),
        uniquenesses=pd.Series(u2, index=names, name="u2"),
        variance=variance,
        chisq=st["chisq"], df=st["df"], p_value=st["p_value"], tli=st["tli"], rmsea=st["rmsea"],
        rmsea_ci=(st["rmsea_lower"], st["rmsea_upper"]), objective=st["objective"], rms=st["rms"],
        flags=flags,
        eigenvalues=pd.DataFrame({"observed": ext.e_values, "reduced": ext.values},
                                 index=pd.RangeIndex(1, p + 1, name="position")),
        n_obs=n_obs, method=method, rotation=rotation, converged=sol.converged,
        correlation=pd.DataFrame(r, index=names, columns=names),
        warnings=notes,
        cor=cor,
    )
