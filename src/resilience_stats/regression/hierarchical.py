"""Hierarchical (blockwise) OLS regression: predictors entered in blocks, R^2 change and F change per step.

Every step is fitted on the same cases: the complete cases of the outcome and of every predictor of every
block (listwise deletion, as SPSS's ``/METHOD=ENTER`` sequence). For step ``k`` with ``p_k`` predictors:

* ``r2_change = R^2_k - R^2_(k-1)`` (``R^2_0 = 0``);
* ``f_change = (r2_change / df1) / ((1 - R^2_k) / df2)`` with ``df1`` the predictors added and
  ``df2 = n - p_k - 1``; with an HC covariance it is the Wald F of the added coefficients,
  ``b' V^-1 b / df1`` (``lmtest::waldtest(m_(k-1), m_k, vcov = vcovHC(m_k))``);
* standardized coefficients ``beta``: with ``standardize="sd"`` ``b * SD(term) / SD(y)`` (SPSS's Beta, where a
  product term has the SD of the product column); with ``standardize="z"`` the coefficients of the same model
  on z-scored variables with products formed from the z-scores (Friedrich, 1982; Aiken & West, 1991);
* ``vif``: ``1 / (1 - R^2_j)`` of each predictor on the other predictors of the step.

A term is a column name or a product of columns written ``"a:b"``.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np
import pandas as pd
from scipy import stats as sps

from ..errors import ModelSpecificationError
from ._data import model_frame
from ._ols import OLSFit, check_hc, coef_frame, ols, vif

__all__ = ["HierarchicalResult", "hierarchical_regression"]

STANDARDIZE = ("sd", "z")


@dataclass
class HierarchicalResult:
    """A hierarchical regression.

    Attributes
    ----------
    steps : pandas.DataFrame
        One row per step: step, added (terms entered), n_terms, r2, adj_r2, r2_change, f_change, df1, df2,
        p_change, f, f_df1, f_df2, p (the step's overall test; Wald F with an HC covariance).
    coefficients : pandas.DataFrame
        One row per step and term: step, term ("constant" first), coef, se, t, p, ci_lower, ci_upper, beta,
        vif.
    y : str
    blocks : list of list of str
    n, n_dropped : int
    hc : str or None
    standardize : {"sd", "z"}
    level : float
    fits : list of OLSFit
    """

    y: str
    blocks: list
    n: int
    n_dropped: int
    hc: str | None
    standardize: str
    level: float
    steps: pd.DataFrame
    coefficients: pd.DataFrame
    fits: list = field(repr=False)

    def __repr__(self) -> str:
        return f"HierarchicalResult(y={self.y!r}, steps={len(self.blocks)}, n={self.n})"

    def summary(self) -> str:
        """Text: the steps (R^2, change, F change) and the coefficients of each step.

        Examples
        --------
        >>> print(res.summary())  # doctest: +SKIP
        """
        from ._text import frame_text

        lines = [f"Hierarchical regression of {self.y} (n = {self.n}"
                 + (f"; {self.n_dropped} incomplete cases left out" if self.n_dropped else "") + ")"]
        if self.hc:
            lines.append(f"Standard errors and F tests: {self.hc}")
        lines += ["", "Model summary"]
        lines += frame_text(self.steps, ["step", "r2", "adj_r2", "r2_change", "f_change", "df1", "df2", "p_change"])
        for k, block in enumerate(self.blocks, start=1):
            lines += ["", f"Step {k}: + {', '.join(block)}"]
            lines += frame_text(self.coefficients[self.coefficients["step"] == k],
                                ["term", "coef", "se", "beta", "t", "p", "ci_lower", "ci_upper", "vif"])
        return "\n".join(lines)

    def to_table(self, kind: str | None = None, *, lang: str = "en", style: str = "apa", **options: Any):
        """The hierarchical regression table (Model 1, Model 2, ... columns of B, SE and beta; R^2, Delta R^2
        and F change at the foot).

        Examples
        --------
        >>> res.to_table(lang="zh", style="three-line").to_docx("table3.docx")  # doctest: +SKIP
        """
        from ..tables.adapters import from_result

        return from_result(self, kind, lang=lang, style=style, **options)


def _parse_blocks(blocks: Any) -> list[list[str]]:
    if isinstance(blocks, str) or not isinstance(blocks, Sequence) or not blocks:
        raise ModelSpecificationError("blocks must be a list of blocks, each a list of terms, e.g. "
                                      "[['age', 'female'], ['PBL'], ['PBL:tenure']]")
    out = []
    for b in blocks:
        terms = [b] if isinstance(b, str) else list(b)
        if not terms or not all(isinstance(t, str) and t.strip() for t in terms):
            raise ModelSpecificationError(f"each block must list one or more terms (column names or 'a:b'), not {b!r}")
        out.append([":".join(p.strip() for p in t.split(":")) for t in terms])
    flat = [t for b in out for t in b]
    dup = sorted({t for t in flat if flat.count(t) > 1})
    if dup:
        raise ModelSpecificationError(f"a term may enter only once; repeated: {', '.join(dup)}")
    return out


def _columns(frame: pd.DataFrame, terms: list[str]) -> np.ndarray:
    return np.column_stack([np.prod([frame[v].to_numpy() for v in t.split(":")], axis=0) for t in terms])


def _step_tests(fit: OLSFit, prev_r2: float, q: int) -> dict:
    k = len(fit.names)
    if fit.hc is None:
        r2c = fit.r2 - prev_r2
        fc = (r2c / q) / ((1 - fit.r2) / fit.df_resid)
    else:
        b = fit.coef[k - q:]
        v = fit.vcov[k - q:, k - q:]
        fc = float(b @ np.linalg.solve(v, b)) / q
    return {"r2_change": fit.r2 - prev_r2, "f_change": fc, "df1": q, "df2": fit.df_resid,
            "p_change": float(sps.f.sf(fc, q, fit.df_resid))}


def hierarchical_regression(
    data: Any,
    y: str,
    blocks: Sequence[Sequence[str]],
    hc: str | None = None,
    standardize: str = "sd",
    level: float = 0.95,
) -> HierarchicalResult:
    """Blockwise OLS regression with R^2 change, F change, standardized coefficients and VIF per step.

    Parameters
    ----------
    data : SurveyWave or pandas.DataFrame
        Construct scores of a SurveyWave (``wave.scores()``) with its other columns, or a DataFrame.
    y : str
        Outcome.
    blocks : list of list of str
        Terms entered at each step, e.g. ``[["age", "female"], ["PBL"], ["NET", "PBL:NET"]]``; a term is a
        column or a product ``"a:b"`` of columns.
    hc : {None, "HC0", "HC1", "HC2", "HC3", "HC4"}
        Heteroskedasticity-consistent standard errors (``sandwich::vcovHC``); F tests become Wald F tests.
    standardize : {"sd", "z"}
        How ``beta`` is computed: "sd" (SPSS's Beta) or "z" (z-score the variables, then form products).
    level : float, default 0.95

    Returns
    -------
    HierarchicalResult
        ``steps`` and ``coefficients`` frames; ``.summary()``, ``.to_table()``.

    Raises
    ------
    ModelSpecificationError
        Malformed or repeated terms, the outcome used as a predictor, bad options, collinear terms.
    DataError
        Unknown or non-numeric columns, too few complete cases.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(2)
    >>> df = pd.DataFrame(rng.normal(size=(150, 3)), columns=["age", "PBL", "NET"])
    >>> df["RES"] = 0.3 * df["PBL"] + 0.2 * df["NET"] + rng.normal(size=150)
    >>> res = hierarchical_regression(df, "RES", [["age"], ["PBL", "NET"]])
    >>> res.steps[["step", "df1", "df2"]].values.tolist()
    [[1, 1, 148], [2, 2, 146]]
    >>> bool(res.steps["p_change"].iloc[1] < 0.001)
    True
    """
    blocks = _parse_blocks(blocks)
    hc = check_hc(hc)
    if standardize not in STANDARDIZE:
        raise ModelSpecificationError(f"standardize must be one of {', '.join(STANDARDIZE)}, not {standardize!r}")
    if not isinstance(level, numbers.Real) or not 0.5 <= float(level) < 1:
        raise ModelSpecificationError(f"level must lie in [0.5, 1), not {level!r}")
    if not isinstance(y, str) or not y:
        raise ModelSpecificationError("y= must name the outcome column")
    variables = list(dict.fromkeys(v for b in blocks for t in b for v in t.split(":")))
    if y in variables:
        raise ModelSpecificationError(f"the outcome {y!r} cannot also be a predictor")
    frame, dropped = model_frame(data, [*variables, y], what="hierarchical regression")
    yv = frame[y].to_numpy()
    zframe = (frame - frame.mean()) / frame.std(ddof=1)
    step_rows, coef_rows, fits = [], [], []
    terms: list[str] = []
    prev_r2 = 0.0
    for k, block in enumerate(blocks, start=1):
        terms = terms + block
        X = _columns(frame, terms)
        fit = ols(np.column_stack([np.ones(len(frame)), X]), yv, ["constant", *terms], hc=hc)
        fits.append(fit)
        tests = _step_tests(fit, prev_r2, len(block))
        step_rows.append({"step": k, "added": ", ".join(block), "n_terms": len(terms), "r2": fit.r2,
                          "adj_r2": fit.adj_r2, **tests, "f": fit.f, "f_df1": fit.df1, "f_df2": fit.df2,
                          "p": fit.f_p})
        prev_r2 = fit.r2
        cf = coef_frame(fit, float(level))
        if standardize == "sd":
            beta = fit.coef[1:] * X.std(axis=0, ddof=1) / yv.std(ddof=1)
        else:
            Xz = _columns(zframe, terms)
            beta = np.linalg.lstsq(np.column_stack([np.ones(len(frame)), Xz]), zframe[y].to_numpy(), rcond=None)[0][1:]
        cf["beta"] = np.concatenate([[np.nan], beta])
        cf["vif"] = np.concatenate([[np.nan], vif(X)])
        cf.insert(0, "step", k)
        coef_rows.append(cf)
    return HierarchicalResult(y=y, blocks=blocks, n=len(frame), n_dropped=dropped, hc=hc, standardize=standardize,
                              level=float(level), steps=pd.DataFrame(step_rows),
                              coefficients=pd.concat(coef_rows, ignore_index=True), fits=fits)
