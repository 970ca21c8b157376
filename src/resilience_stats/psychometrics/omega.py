"""McDonald's omega hierarchical by the Schmid-Leiman transformation, as ``psych::omega`` (psych 2.2.9).

Steps (psych's ``schmid`` and ``omegah``; no library in Python does this, so it is built on our own EFA):

1. an orthogonal (varimax) ``n_factors`` solution of the item correlations (:func:`.efa.solve`, psych's
   ``fa(r, nfactors, fm, rotate = "varimax")``: signed and ordered by variance);
2. an oblique rotation of it (oblimin by gradient projection from the identity, GPArotation's ``oblimin``, or
   psych's Kaiser-normalised promax), left unsorted as psych leaves it: pattern ``F``, correlations ``Phi``;
3. loadings ``g`` of the group factors on a general factor: a one-factor solution of ``Phi`` with the same
   extraction method (3+ factors); with 2 factors ``sqrt(|phi_12|)`` for both (``option="equal"``), or 1 and
   ``phi_12`` (``"first"``/``"second"``); with 1 factor ``g = 1`` (omega_h is then not meaningful);
4. the Schmid-Leiman loadings: general ``F g``, group ``sign(F) sqrt(F^2 (1 - g^2))`` (0 when negative),
   ``h2`` = communalities of step 1, ``u2 = 1 - h2``, ``p2 = general^2 / h2``;
5. items whose general loading is negative are reverse-keyed (``flip=True``: rows and columns of R are
   negated), then with ``V = sum(R)``: omega_h = (sum general)^2 / V, omega_total = (V - sum u2) / V,
   omega_limit = (sum general)^2 / (V - sum u2), alpha and Guttman's lambda 6 of R, the explained common
   variance ECV = (sum general^2) / (sum of all squared Schmid-Leiman loadings), and per group factor (items
   assigned by their largest group loading) omega total / general / group as psych's ``omega.group``;
6. fit of the Schmid-Leiman model with and without the group factors (psych's ``factor.stats``; see
   :func:`.efa.fa_statistics`).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from .._blas import one_blas_thread
from ..errors import DataError, EstimationWarning, ResilienceStatsWarning
from ._common import smc
from .efa import analysis_correlation, fa_statistics, solve
from .rotation import rotate as _rotate

__all__ = ["OmegaResult", "omega", "schmid_leiman"]

_METHODS = ("minres", "ml", "principal")
_ROTATIONS = ("oblimin", "promax")
_OPTIONS = ("equal", "first", "second")


@dataclass(repr=False)
class OmegaResult:
    """Result of :func:`omega`.

    Attributes
    ----------
    omega_h : float
        Omega hierarchical: share of total score variance due to the general factor.
    omega_total : float
        Share of total score variance due to all common factors.
    omega_limit : float
        ``omega_h / omega_total`` (psych's ``omega.lim``, omega_h of an infinitely long test).
    alpha, g6 : float
        Standardised alpha and Guttman's lambda 6 of the (re-keyed) correlation matrix.
    ecv : float
        Explained common variance of the general factor.
    loadings : pandas.DataFrame
        Schmid-Leiman solution, one row per item: ``g``, ``F1*`` ... ``Fk*``, ``h2``, ``u2``, ``p2``.
    omega_group : pandas.DataFrame
        Rows ``g`` and ``F1*`` ... ``Fk*``; columns ``total``, ``general``, ``group`` (psych's
        ``omega.group``: omega of the items assigned to each group factor, split into the general and the group
        factor's part; the ``g`` row is the whole test).
    oblique : pandas.DataFrame
        The oblique pattern (items x ``F1`` ... ``Fk``) the transformation started from.
    phi : pandas.DataFrame
        Its factor correlations.
    g_loadings : pandas.Series
        Loadings of the group factors on the general factor.
    fit : pandas.DataFrame
        Rows ``general_and_group`` and ``general_only``: ``chisq``, ``df``, ``p_value``, ``rmsea``, ``rms``,
        ``objective`` (psych's ``stats`` and ``gstats``).
    reversed : list of str
        Items re-keyed because their general loading was negative.
    n_obs, n_factors : int
    method, rotation, cor : str
    correlation : pandas.DataFrame
        The analysed correlation matrix (before re-keying).
    warnings : list of str
    """

    omega_h: float
    omega_total: float
    omega_limit: float
    alpha: float
    g6: float
    ecv: float
    loadings: pd.DataFrame
    omega_group: pd.DataFrame
    oblique: pd.DataFrame
    phi: pd.DataFrame
    g_loadings: pd.Series
    fit: pd.DataFrame
    reversed: list[str]
    n_obs: int
    n_factors: int
    method: str
    rotation: str
    cor: str
    correlation: pd.DataFrame
    warnings: list[str] = field(default_factory=list)

    def __repr__(self) -> str:
        return (f"OmegaResult(items={self.loadings.shape[0]}, n_factors={self.n_factors}, n_obs={self.n_obs}, "
                f"omega_h={self.omega_h:.3f}, omega_total={self.omega_total:.3f}, ecv={self.ecv:.3f}, "
                f"reversed={len(self.reversed)}, warnings={len(self.warnings)})")

    def summary(self, digits: int = 3) -> str:
        """A plain-text report: the coefficients, the Schmid-Leiman loadings and omega per group factor."""
        f = f"{{:.{digits}f}}"
        lines = [f"Omega (Schmid-Leiman, {self.n_factors} group factor(s), {self.method}/{self.rotation}, "
                 f"{self.cor} correlations, n = {self.n_obs})",
                 f"  omega_h = {f.format(self.omega_h)}   omega_total = {f.format(self.omega_total)}   "
                 f"omega_limit = {f.format(self.omega_limit)}",
                 f"  alpha = {f.format(self.alpha)}   G6 = {f.format(self.g6)}   ECV = {f.format(self.ecv)}"]
        if self.reversed:
            lines.append(f"  reverse-keyed (negative general loading): {', '.join(self.reversed)}")
        lines += ["", self.loadings.round(digits).to_string(), "", self.omega_group.round(digits).to_string()]
        lines += [f"warning: {w}" for w in self.warnings]
        return "\n".join(lines)

    def to_table(self, kind: str | None = None, *, lang: str = "en", style: str = "apa", number: int | None = None,
                 title=None, instrument=None, **options):
        """The Schmid-Leiman loadings (``kind="loadings"``, default) or omega per factor (``"omega"``)."""
        from ..tables.adapters import from_result  # presentation is imported only when asked for

        return from_result(self, kind, lang=lang, style=style, number=number, title=title, instrument=instrument,
                           **options)


def _general_loadings(phi: np.ndarray, method: str, option: str, notes: list[str]) -> np.ndarray:
    k = phi.shape[0]
    if k == 1:
        notes.append("omega_h is not meaningful with one factor (it is then an omega total)")
        return np.ones(1)
    if k == 2:
        notes.append("three factors are needed to identify the general factor: with two, its loadings are set "
                     f"by option={option!r} (proceed with caution)")
        r12 = phi[0, 1]
        if option == "equal":
            return np.array([np.sqrt(abs(r12)), np.sign(r12) * np.sqrt(abs(r12))])
        return np.array([1.0, r12]) if option == "first" else np.array([r12, 1.0])
    sol = solve(phi, 1, method, "none")
    notes += [f"general factor: {m}" for m in sol.notes]
    return sol.pattern[:, 0]


def schmid_leiman(r: np.ndarray, n_factors: int, method: str = "minres", rotation: str = "oblimin",
                  option: str = "equal") -> dict[str, Any]:
    """Schmid-Leiman transformation of correlation matrix ``r`` (steps 1-4 of the module docstring).

    Returns a dict with ``sl`` (p x (k + 4): general, k group loadings, h2, u2, p2), ``oblique``, ``phi``,
    ``gload``, ``converged`` and ``notes``.
    """
    k = int(n_factors)
    notes: list[str] = []
    orth = solve(r, k, method, "varimax")
    notes += orth.notes
    converged = orth.converged
    if k == 1:
        fload, phi = orth.pattern, np.ones((1, 1))
    else:
        with one_blas_thread():
            rot = _rotate(orth.pattern, rotation)
        if not rot.converged:
            notes.append(f"{rotation} rotation did not converge in {rot.iterations} iterations")
            converged = False
        fload, phi = rot.loadings, rot.phi
    gload = _general_loadings(phi, method, option, notes)
    general = fload @ gload
    h2 = (orth.pattern**2).sum(axis=1)
    u2 = np.diag(r) - h2
    group_sq = np.clip(fload**2 * (1.0 - gload**2), 0.0, None)
    if (fload**2 * (1.0 - gload**2) < 0).any():
        notes.append("a group factor loads above 1 on the general factor (Heywood case): its group loadings "
                     "are set to 0")
    group = np.sign(fload) * np.sqrt(group_sq)
    with np.errstate(divide="ignore", invalid="ignore"):
        p2 = general**2 / h2
    sl = np.column_stack([general, group, h2, u2, p2])
    return {"sl": sl, "oblique": fload, "phi": phi, "gload": gload, "converged": converged, "notes": notes}


def _omega_group(m: np.ndarray, sl: np.ndarray, k: int, om_tot: float) -> np.ndarray:
    """psych's ``omega.group``: rows g, F1*..Fk*; columns total, general, group."""
    out = np.full((k + 1, 3), np.nan)
    assign = np.argmax(np.abs(sl[:, 1:k + 1]), axis=1)
    sum_group_sq = 0.0
    for j in range(k):
        idx = np.nonzero(assign == j)[0]
        if idx.size == 0:
            continue
        v = m[np.ix_(idx, idx)].sum()
        gr = sl[idx, j + 1].sum()
        ge = sl[idx, 0].sum()
        sum_group_sq += gr**2
        out[j + 1] = [(gr**2 + ge**2) / v, ge**2 / v, gr**2 / v]
    out[0] = [om_tot, sl[:, 0].sum() ** 2 / m.sum(), sum_group_sq / m.sum()]
    return out


def omega(
    data: Any,
    n_factors: int = 3,
    method: str = "minres",
    rotation: str = "oblimin",
    *,
    cor: str = "pearson",
    constructs: Mapping[str, Sequence[str]] | None = None,
    reverse: Sequence[str] | None = None,
    missing: str = "pairwise",
    option: str = "equal",
    flip: bool = True,
) -> OmegaResult:
    """Omega hierarchical, omega total and the Schmid-Leiman solution, as ``psych::omega``.

    Parameters
    ----------
    data : SurveyWave or pandas.DataFrame
        All items of the wave (or of ``constructs``), or all columns of the DataFrame, as one test.
    n_factors : int, default 3
        Group factors (psych's ``nfactors``); 3 or more identify the general factor.
    method : {"minres", "ml", "principal"}
        Factor extraction (psych's ``fm``; "principal" is principal axis, ``fm = "pa"``).
    rotation : {"oblimin", "promax"}
        Oblique rotation of the group factors (psych's ``rotate``).
    cor : {"pearson", "poly"}
        Pearson correlations over pairwise complete cases (psych's default) or polychoric correlations
        (``omega(poly = TRUE)``).
    constructs, reverse : optional
        Item selection and reverse-keyed items (see :func:`~resilience_stats.psychometrics.reliability`).
    missing : {"pairwise", "listwise"}
    option : {"equal", "first", "second"}
        General factor loadings with exactly two group factors (see the module docstring).
    flip : bool, default True
        Re-key items with a negative general loading (psych's ``flip``); they are listed in ``reversed``.

    Returns
    -------
    OmegaResult

    Raises
    ------
    DataError
        Bad items, a singular correlation matrix, unknown options, or too many factors for the items
        (negative degrees of freedom).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> g, s = rng.normal(size=(800, 1)), rng.normal(size=(800, 3))
    >>> x = 0.6 * g + 0.5 * np.repeat(s, 3, axis=1) + 0.6 * rng.normal(size=(800, 9))
    >>> om = omega(pd.DataFrame(x, columns=[f"x{i}" for i in range(9)]))
    >>> bool(0.5 < om.omega_h < om.omega_total < 1), list(om.loadings.columns[:4])
    (True, ['g', 'F1*', 'F2*', 'F3*'])
    """
    if method not in _METHODS:
        raise DataError(f"omega: method must be one of {_METHODS}, got {method!r}")
    if rotation not in _ROTATIONS:
        raise DataError(f"omega: rotation must be one of {_ROTATIONS}, got {rotation!r}")
    if option not in _OPTIONS:
        raise DataError(f"omega: option must be one of {_OPTIONS}, got {option!r}")
    k = int(n_factors) if isinstance(n_factors, (int, np.integer)) else -1
    if k < 1:
        raise DataError(f"omega: n_factors must be a positive integer, got {n_factors!r}")
    r, names, n_obs, _np_obs, notes = analysis_correlation(data, constructs, reverse, missing, cor, what="omega")
    p = len(names)
    dof = p * (p - 1) / 2 - p * k + k * (k - 1) / 2
    if p < 3 or dof < 0:
        raise DataError(f"omega: {k} factor(s) cannot be identified from {p} items (degrees of freedom {dof:g} "
                        "< 0); use fewer factors or more items")
    res = schmid_leiman(r, k, method, rotation, option)
    notes += res["notes"]
    sl = res["sl"].copy()
    m = r.copy()
    key = np.sign(sl[:, 0])
    key[key == 0] = 1.0
    rev: list[str] = []
    if flip and (key < 0).any():
        m = m * np.outer(key, key)
        sl[:, : k + 1] = sl[:, : k + 1] * key[:, None]
        rev = [nm for nm, kk in zip(names, key) if kk < 0]
        warnings.warn(f"omega: items with a negative general loading were reverse-keyed: {', '.join(rev)}",
                      ResilienceStatsWarning, stacklevel=2)
    v_total = m.sum()
    gsum = sl[:, 0].sum()
    u_sum = sl[:, k + 2].sum()
    om_tot = (v_total - u_sum) / v_total
    alpha = (v_total - np.trace(m)) / v_total * p / (p - 1)
    g6 = (v_total + smc(m).sum() - np.trace(m)) / v_total
    ev = (sl[:, : k + 1] ** 2).sum(axis=0)
    groups = ["g"] + [f"F{j + 1}*" for j in range(k)]
    stats_rows = {}
    for label, lam in (("general_and_group", sl[:, : k + 1]), ("general_only", sl[:, :1])):
        st = fa_statistics(m, lam, None, n_obs)
        stats_rows[label] = {c: st[c] for c in ("chisq", "df", "p_value", "rmsea", "rms", "objective")}
    for msg in notes:
        warnings.warn(f"omega: {msg}", EstimationWarning, stacklevel=2)
    fcols = [f"F{j + 1}" for j in range(k)]
    return OmegaResult(
        omega_h=float(gsum**2 / v_total),
        omega_total=float(om_tot),
        omega_limit=float(gsum**2 / (v_total - u_sum)),
        alpha=float(alpha),
        g6=float(g6),
        ecv=float(ev[0] / ev.sum()),
        loadings=pd.DataFrame(sl, index=pd.Index(names, name="item"), columns=groups + ["h2", "u2", "p2"]),
        omega_group=pd.DataFrame(_omega_group(m, sl, k, om_tot), index=pd.Index(groups, name="factor"),
                                 columns=["total", "general", "group"]),
        oblique=pd.DataFrame(res["oblique"], index=names, columns=fcols),
        phi=pd.DataFrame(res["phi"], index=fcols, columns=fcols),
        g_loadings=pd.Series(res["gload"], index=fcols, name="g"),
        fit=pd.DataFrame.from_dict(stats_rows, orient="index"),
        reversed=rev,
        n_obs=n_obs, n_factors=k, method=method, rotation=rotation, cor=cor,
        correlation=pd.DataFrame(r, index=names, columns=names),
        warnings=notes,
    )
