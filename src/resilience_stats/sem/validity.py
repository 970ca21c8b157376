"""Convergent and discriminant validity of a CFA: composite reliability, AVE, Fornell-Larcker, HTMT.

Definitions (factor ``f`` with indicators ``i``; ``lambda``, ``phi``, ``theta`` unstandardized; ``s``
standardized with the model-implied SDs, i.e. lavaan's std.all):

* ``cr`` -- composite reliability of the standardized items (Fornell & Larcker 1981; Raykov 1997)::

      (sum s_lambda)^2 / ((sum s_lambda)^2 + sum s_theta_ii + 2 sum_{i<j} s_theta_ij)

  with correlated residuals ``s_theta_ij = theta_ij / (sd_i sd_j)`` within the factor's items.
* ``ave`` -- average variance extracted: mean of the squared standardized loadings (Fornell & Larcker 1981).
* ``omega`` -- semTools 0.5-6 ``compRelSEM(fit)`` (its default ``obs.var = TRUE``): ``(sum lambda)^2 phi /
  1' S 1`` with ``S`` the *sample* covariance matrix of the items (raw metric). The older ``reliability()``
  "omega" used the model-implied total variance (like ``cr`` but unstandardized); ``compRelSEM`` switched to the
  observed variance. For a second-order factor the row holds semTools' ``compRelSEM(fit, higher = ...)``
  value (omega_L2: the items' variance due to the higher-order factor over their total observed variance).
* ``ave_semtools`` -- semTools ``AVE(fit)``: ``sum(lambda^2) phi / sum(diag S)`` (NaN when an item of the
  factor loads on another factor, as in semTools).
* HTMT -- heterotrait-monotrait ratio (Henseler, Ringle & Sarstedt 2015) from the item correlations of the data;
  by default the geometric-mean version of absolute correlations (semTools 0.5-6 ``htmt(htmt2 = TRUE)``,
  Roemer, Schuberth & Henseler 2021); ``htmt2=False`` gives the original arithmetic-mean version.

Flags: ``cr < .70``, ``ave < .50``, a factor correlation above the square root of either factor's AVE
(Fornell-Larcker), HTMT above .85 (strict) or .90 (liberal).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import DataError, ModelSpecificationError

__all__ = ["ValidityResult", "validity", "htmt"]

CR_MIN = 0.70
AVE_MIN = 0.50
HTMT_STRICT = 0.85
HTMT_LIBERAL = 0.90


@dataclass
class ValidityResult:
    """Reliability and validity summaries of a fitted CFA/SEM (see the module docstring for definitions).

    Attributes
    ----------
    reliability : pandas.DataFrame
        One row per factor: factor, order (1 or 2), n_items, cr, ave, omega, ave_semtools, improper (a Heywood
        case among the factor's items: CR/AVE not interpretable), flag_cr, flag_ave;
        for an ordinal (WLSMV/ULSMV) fit also omega_ordinal (categorical omega of the observed item sums).
    fornell_larcker : pandas.DataFrame
        First-order factors x factors: sqrt(AVE) on the diagonal, model-implied factor correlations below it
        (NaN above).
    fornell_larcker_violations : pandas.DataFrame
        Pairs whose correlation exceeds the square root of either AVE: factor_1, factor_2, r, sqrt_ave_1,
        sqrt_ave_2.
    htmt : pandas.DataFrame
        First-order factors x factors HTMT (1 on the diagonal), from the data used in the fit.
    htmt_flags : pandas.DataFrame
        All pairs: factor_1, factor_2, htmt, above_85, above_90.
    warnings : list of str
    """

    reliability: pd.DataFrame
    fornell_larcker: pd.DataFrame
    fornell_larcker_violations: pd.DataFrame
    htmt: pd.DataFrame
    htmt_flags: pd.DataFrame
    warnings: list = field(default_factory=list)

    def __repr__(self) -> str:
        return (f"<ValidityResult factors={len(self.reliability)} flags: cr={int(self.reliability['flag_cr'].sum())} "
                f"ave={int(self.reliability['flag_ave'].sum())} fornell_larcker={len(self.fornell_larcker_violations)} "
                f"htmt>.85={int(self.htmt_flags['above_85'].sum())}>")

    def to_table(self, kind: str | None = None, *, lang: str = "en", style: str = "apa", number: int | None = None,
                 title=None, instrument=None, **options):
        """A publication table: kind "reliability" (CR, AVE; loadings too with ``fit=``), "htmt" or
        "fornell_larcker" (factor correlations with sqrt(AVE) on the diagonal).

        ``kind``, ``lang``, ``style``, ``number``, ``title``, ``instrument`` and ``**options`` as in
        :func:`resilience_stats.tables.from_result`; returns a :class:`~resilience_stats.tables.PubTable`.
        """
        from ..tables.adapters import from_result  # presentation is imported only when asked for

        return from_result(self, kind, lang=lang, style=style, number=number, title=title, instrument=instrument,
                           **options)


# -------------------------------------------------------------------------------------------- pieces


def _structure(estimates: pd.DataFrame, ov: list[str], lv: list[str]):
    """Items of each factor (observed indicators) and the latent indicators of higher-order factors."""
    load = estimates[estimates["op"] == "=~"]
    if "group" in load:
        load = load[load["group"] == load["group"].iloc[0]] if len(load) else load
    items: dict[str, list[str]] = {}
    facets: dict[str, list[str]] = {}
    ovs, lvs = set(ov), set(lv)
    for f, x in zip(load["lhs"], load["rhs"]):
        if x in ovs:
            items.setdefault(f, []).append(x)
        elif x in lvs:
            facets.setdefault(f, []).append(x)
    return items, facets


def htmt_matrix(R: pd.DataFrame, items: dict[str, list[str]], htmt2: bool = True,
                absolute: bool = True) -> pd.DataFrame:
    """HTMT of factors from an item correlation matrix.

    Parameters
    ----------
    R : pandas.DataFrame
        Item correlations (index = columns = item names).
    items : dict
        {factor: [items]}.
    htmt2 : bool, default True
        Geometric means of absolute correlations (semTools' default); False: arithmetic means.
    absolute : bool, default True
        Use absolute correlations (always with ``htmt2``).

    Examples
    --------
    >>> R = pd.DataFrame(np.array([[1, .6, .3, .3], [.6, 1, .3, .3], [.3, .3, 1, .5], [.3, .3, .5, 1]]),
    ...                  index=list("abcd"), columns=list("abcd"))
    >>> round(float(htmt_matrix(R, {"F": ["a", "b"], "G": ["c", "d"]}).loc["F", "G"]), 4)
    0.5477
    """
    names = list(items)
    A = R.to_numpy(dtype=float).copy()
    if absolute or htmt2:
        A = np.abs(A)
    pos = {v: i for i, v in enumerate(R.index)}
    idx = {f: np.array([pos[v] for v in items[f]]) for f in names}

    def avg(block: np.ndarray) -> float:
        block = block[np.isfinite(block)]
        if not len(block):
            return float("nan")
        if htmt2:
            with np.errstate(divide="ignore"):
                return float(np.exp(np.mean(np.log(block))))
        return float(np.mean(block))

    mono = {}
    for f in names:
        i = idx[f]
        sub = A[np.ix_(i, i)]
        mono[f] = avg(sub[~np.eye(len(i), dtype=bool)]) if len(i) > 1 else float("nan")
    out = pd.DataFrame(np.eye(len(names)), index=names, columns=names)
    for a_ in range(len(names)):
        for b_ in range(a_ + 1, len(names)):
            f, g = names[a_], names[b_]
            val = avg(A[np.ix_(idx[f], idx[g])].ravel()) / np.sqrt(mono[f] * mono[g])
            out.loc[f, g] = out.loc[g, f] = val
    return out


def _pairs(M: pd.DataFrame) -> list[tuple[str, str]]:
    names = list(M.index)
    return [(names[i], names[j]) for i in range(len(names)) for j in range(i + 1, len(names))]


def _htmt_flags(H: pd.DataFrame) -> pd.DataFrame:
    rows = [(f, g, H.loc[f, g], bool(H.loc[f, g] > HTMT_STRICT), bool(H.loc[f, g] > HTMT_LIBERAL))
            for f, g in _pairs(H)]
    return pd.DataFrame(rows, columns=["factor_1", "factor_2", "htmt", "above_85", "above_90"])


# -------------------------------------------------------------------------------------------- public


def validity(fit, htmt2: bool = True) -> ValidityResult:
    """Composite reliability, AVE, Fornell-Larcker criterion and HTMT of a fitted CFA/SEM.

    Parameters
    ----------
    fit : SEMResult
        A fitted model with latent factors (single group; with several groups the first is used).
    htmt2 : bool, default True
        HTMT from geometric means (semTools' default) or, with False, arithmetic means.

    Returns
    -------
    ValidityResult

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from resilience_stats.sem import cfa
    >>> rng = np.random.default_rng(0); f = rng.multivariate_normal([0, 0], [[1, .4], [.4, 1]], 500)
    >>> df = pd.DataFrame(np.repeat(f, 3, axis=1) * 0.8 + rng.normal(scale=0.6, size=(500, 6)),
    ...                   columns=["a1", "a2", "a3", "b1", "b2", "b3"])
    >>> v = validity(cfa(df, "A =~ a1 + a2 + a3\\nB =~ b1 + b2 + b3"))
    >>> v.reliability[["factor", "n_items"]].values.tolist()
    [['A', 3], ['B', 3]]
    >>> bool(v.htmt.loc["A", "B"] < 0.85)
    True
    """
    st = fit._state
    if getattr(st, "twolevel", None) is not None:
        raise ModelSpecificationError("validity() of two-level models is not available yet: CR/AVE/HTMT would mix "
                                      "the within and between levels; fit the measurement model of one level")
    mod, imp, ss = st.models[0], st.implied[0], st.stats[0]
    names = mod.ov + mod.lv
    pos = {v: i for i, v in enumerate(names)}
    items, facets = _structure(fit.estimates, mod.ov, mod.lv)
    if not items:
        raise ModelSpecificationError("validity() needs a model with latent factors measured by observed items")
    warnings: list[str] = []
    if len(st.stats) > 1:
        warnings.append("several groups: validity is computed for the first group only")
    ordinal = getattr(st, "ordinal", None) is not None
    if ordinal:
        warnings.append("ordinal (WLSMV/ULSMV) fit: cr/ave/htmt are computed on the latent-response scale "
                        "(polychoric correlations); omega_ordinal is the reliability of the observed item sums "
                        "(Green & Yang 2009 categorical omega, as semTools' compRelSEM)")
    A, Smat, C = imp["A"], imp["S"], imp["cov_all"]
    sd = np.sqrt(np.clip(np.diag(C), 0, None))
    Sobs = ss.cov
    opos = {v: i for i, v in enumerate(ss.names)}
    loaders: dict[str, list[str]] = {}
    for f, xs in items.items():
        for x in xs:
            loaders.setdefault(x, []).append(f)

    rows = []
    for f, xs in items.items():
        fi = pos[f]
        ii = np.array([pos[x] for x in xs])
        lam = A[ii, fi]
        phi = C[fi, fi]
        lam_s = lam * np.sqrt(phi) / sd[ii]
        theta = Smat[np.ix_(ii, ii)]
        theta_s = theta / np.outer(sd[ii], sd[ii])
        n = len(xs)
        if n < 2:
            warnings.append(f"factor {f} has a single indicator: reliability not computed")
            cr = ave = omega = ave_st = float("nan")
        else:
            num = lam_s.sum() ** 2
            offdiag = theta_s[np.triu_indices(n, 1)].sum()
            cr = float(num / (num + np.trace(theta_s) + 2 * offdiag))
            ave = float(np.mean(lam_s ** 2))
            oi = np.array([opos[x] for x in xs])
            Sf = Sobs[np.ix_(oi, oi)]
            omega = float(lam.sum() ** 2 * phi / Sf.sum())
            cross = any(len(loaders[x]) > 1 for x in xs)
            ave_st = float("nan") if cross else float((lam ** 2).sum() * phi / np.trace(Sf))
            if cross:
                warnings.append(f"factor {f} has items that load on other factors: ave_semtools not computed "
                                "(as semTools)")
        bad = [x for x, t, l in zip(xs, np.diag(theta), lam_s) if t < 0 or abs(l) > 1 + 1e-6]
        improper = bool(bad) or phi <= 0
        if improper:
            what = (f"item(s) {', '.join(bad)} with a negative residual variance or a standardized loading above "
                    "1" if bad else "a factor variance that is not positive")
            warnings.append(f"factor {f}: improper solution (Heywood case: {what}); its CR and AVE are not "
                            "interpretable")
        rows.append(dict(factor=f, order=1, n_items=n, cr=cr, ave=ave, omega=omega, ave_semtools=ave_st,
                         improper=improper))
    for h, fs in facets.items():
        sub = [g for g in fs if g in items]
        xs = [x for g in sub for x in items[g]]
        if not xs:
            continue
        hi = pos[h]
        # items' loadings on the higher-order factor through their facets
        total = sum(A[pos[x], pos[g]] * A[pos[g], hi] for g in sub for x in items[g])
        oi = np.array([opos[x] for x in dict.fromkeys(xs)])
        omega_l2 = float(total ** 2 * C[hi, hi] / Sobs[np.ix_(oi, oi)].sum())
        rows.append(dict(factor=h, order=2, n_items=len(sub), cr=float("nan"), ave=float("nan"), omega=omega_l2,
                         ave_semtools=float("nan"), improper=bool(C[hi, hi] <= 0)))
        warnings.append(f"{h} is a second-order factor (of {', '.join(sub)}): cr and ave are given for its "
                        "first-order factors; its omega column is omega_L2 (semTools compRelSEM(higher = ...))")
    rel = pd.DataFrame(rows)
    if ordinal:
        from .validity_ordinal import ordinal_omega

        rel["omega_ordinal"] = rel["factor"].map(ordinal_omega(fit)).astype(float)
    rel["flag_cr"] = rel["cr"] < CR_MIN
    rel["flag_ave"] = rel["ave"] < AVE_MIN
    for _, r in rel[rel["flag_cr"]].iterrows():
        warnings.append(f"composite reliability of {r['factor']} is {r['cr']:.3f} (< {CR_MIN:.2f})")
    for _, r in rel[rel["flag_ave"]].iterrows():
        warnings.append(f"AVE of {r['factor']} is {r['ave']:.3f} (< {AVE_MIN:.2f}): weak convergent validity")

    first = list(items)
    fi = np.array([pos[f] for f in first])
    Cf = C[np.ix_(fi, fi)]
    d = np.sqrt(np.clip(np.diag(Cf), 1e-300, None))
    Rf = Cf / np.outer(d, d)
    ave_by = dict(zip(rel["factor"], rel["ave"]))
    fl = pd.DataFrame(np.where(np.tril(np.ones_like(Rf, dtype=bool), -1), Rf, np.nan), index=first, columns=first)
    for f in first:
        fl.loc[f, f] = np.sqrt(ave_by[f])
    viol = []
    for f, g in _pairs(fl):
        r = float(fl.loc[g, f])
        sa, sb = np.sqrt(ave_by[f]), np.sqrt(ave_by[g])
        if abs(r) > sa or abs(r) > sb:
            viol.append((f, g, r, sa, sb))
            warnings.append(f"Fornell-Larcker: the correlation of {f} and {g} ({r:.3f}) exceeds the square root "
                            f"of {'both AVEs' if abs(r) > max(sa, sb) else 'an AVE'}")
    violations = pd.DataFrame(viol, columns=["factor_1", "factor_2", "r", "sqrt_ave_1", "sqrt_ave_2"])

    item_names = list(dict.fromkeys(x for f in first for x in items[f]))
    oi = np.array([opos[x] for x in item_names])
    Sx = Sobs[np.ix_(oi, oi)]
    dx = np.sqrt(np.diag(Sx))
    R = pd.DataFrame(Sx / np.outer(dx, dx), index=item_names, columns=item_names)
    H = htmt_matrix(R, {f: items[f] for f in first}, htmt2=htmt2)
    flags = _htmt_flags(H)
    for _, r in flags[flags["above_85"]].iterrows():
        warnings.append(f"HTMT of {r['factor_1']} and {r['factor_2']} is {r['htmt']:.3f} "
                        f"(> {HTMT_LIBERAL if r['above_90'] else HTMT_STRICT:.2f}): weak discriminant validity")
    return ValidityResult(rel, fl, violations, H, flags, warnings)


def htmt(data, model: str, htmt2: bool = True, absolute: bool = True, missing: str = "listwise") -> pd.DataFrame:
    """Heterotrait-monotrait ratios of the factors in ``model`` from the item correlations of ``data``.

    Like semTools' ``htmt(model, data)``; only factors measured by observed items are used (a second-order
    factor's facets are included, the second-order factor is not).

    Parameters
    ----------
    data : pandas.DataFrame or object with a ``.data`` DataFrame
    model : str
        lavaan syntax (only its ``=~`` lines are used).
    htmt2 : bool, default True
        Geometric-mean version (semTools' default); False: the original arithmetic-mean version.
    absolute : bool, default True
    missing : {"listwise", "pairwise"}
        Rows with a missing item are dropped, or correlations use pairwise-complete rows.

    Returns
    -------
    pandas.DataFrame
        Factors x factors.

    Examples
    --------
    >>> rng = np.random.default_rng(0); f = rng.normal(size=(400, 1)); g = 0.5 * f + rng.normal(size=(400, 1))
    >>> df = pd.DataFrame(np.hstack([f, f, g, g]) + rng.normal(size=(400, 4)), columns=["a", "b", "c", "d"])
    >>> h = htmt(df, "F =~ a + b\\nG =~ c + d")
    >>> h.shape, bool(0.2 < h.loc["F", "G"] < 0.8)
    ((2, 2), True)
    """
    from .syntax import build_partable
    from .model import model_variable_names

    frame = data if isinstance(data, pd.DataFrame) else getattr(data, "data", None)
    if not isinstance(frame, pd.DataFrame):
        raise DataError("data must be a pandas DataFrame or an object with a .data DataFrame")
    pt = build_partable(model)
    ov, lv = model_variable_names(pt)
    est = pt[["lhs", "op", "rhs"]]
    items, _facets = _structure(est, ov, lv)
    if not items:
        raise ModelSpecificationError("the model has no factor measured by observed items (=~)")
    names = list(dict.fromkeys(x for xs in items.values() for x in xs))
    absent = [v for v in names if v not in frame.columns]
    if absent:
        raise ModelSpecificationError(f"item(s) not found in the data: {', '.join(absent)}")
    X = frame[names].apply(pd.to_numeric, errors="coerce")
    if missing == "listwise":
        X = X.dropna()
    elif missing != "pairwise":
        raise ValueError("missing must be 'listwise' or 'pairwise'")
    R = X.corr()
    return htmt_matrix(R, items, htmt2=htmt2, absolute=absolute)
