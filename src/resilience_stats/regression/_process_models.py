"""The equations of Hayes' PROCESS models 1-8, 14, 15, 58 and 59 (Hayes, 2022, Appendix A).

A model is a list of :class:`Equation` (one OLS regression per consequent: the mediators in order, then Y).
A term is a tuple of variable names; a product term has two or more. Covariates enter every equation.

======  ===================================================================================================
model   equations (C = covariates)
======  ===================================================================================================
1       Y ~ X + W + XW + C
2       Y ~ X + W + Z + XW + XZ + C
3       Y ~ X + W + Z + XW + XZ + WZ + XWZ + C
4       M_i ~ X + C;              Y ~ X + M_1..M_k + C                        (parallel mediators)
5       M_i ~ X + C;              Y ~ X + M + W + XW + C
6       M_j ~ X + M_1..M_j-1 + C; Y ~ X + M_1..M_k + C                        (serial mediators)
7       M_i ~ X + W + XW + C;     Y ~ X + M + C
8       M_i ~ X + W + XW + C;     Y ~ X + M + W + XW + C
14      M_i ~ X + C;              Y ~ X + M + W + M_iW + C
15      M_i ~ X + C;              Y ~ X + M + W + XW + M_iW + C
58      M_i ~ X + W + XW + C;     Y ~ X + M + W + M_iW + C
59      M_i ~ X + W + XW + C;     Y ~ X + M + W + XW + M_iW + C
======  ===================================================================================================
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from itertools import combinations

from ..errors import ModelSpecificationError

__all__ = ["Equation", "LINEAR_INDEX", "MODELS", "ProcessSpec", "build_spec"]

MODELS = (1, 2, 3, 4, 5, 6, 7, 8, 14, 15, 58, 59)
MODERATION = (1, 2, 3)
#: Models whose conditional indirect effect is linear in W, so that it has an index of moderated mediation.
LINEAR_INDEX = (7, 8, 14, 15)
_A_MODERATED = (7, 8, 58, 59)  # X -> M moderated by W
_B_MODERATED = (14, 15, 58, 59)  # M -> Y moderated by W
_C_MODERATED = (5, 8, 15, 59)  # X -> Y (direct effect) moderated by W
_MAX_SERIAL = 6


@dataclass(frozen=True)
class Equation:
    """One regression: ``outcome`` on a constant and ``terms`` (tuples of variable names)."""

    outcome: str
    terms: tuple
    label: str

    @property
    def names(self) -> tuple:
        """Coefficient names: "constant", then the terms (products joined by ":")."""
        return ("constant",) + tuple(":".join(t) for t in self.terms)


@dataclass(frozen=True)
class ProcessSpec:
    """A PROCESS model with its variables.

    Attributes
    ----------
    model : int
    x, y : str
    m : tuple of str
    w, z : str or None
    covariates : tuple of str
    equations : tuple of Equation
        Mediator equations in order, then the outcome equation.
    total : Equation or None
        ``Y ~ X + C`` for the unmoderated mediation models (4 and 6).
    chains : tuple of tuple
        The indirect paths ``(X, M..., Y)``.
    """

    model: int
    x: str
    y: str
    m: tuple
    w: str | None
    z: str | None
    covariates: tuple
    equations: tuple
    total: Equation | None
    chains: tuple

    @property
    def variables(self) -> list[str]:
        """Every variable of the model, each once: X, mediators, W, Z, covariates, Y."""
        names = [self.x, *self.m, self.w, self.z, *self.covariates, self.y]
        return [v for v in names if v is not None]

    @property
    def product_variables(self) -> list[str]:
        """Variables that appear in a product term."""
        seen: list[str] = []
        for eq in self.equations:
            for t in eq.terms:
                if len(t) > 1:
                    seen += [v for v in t if v not in seen]
        return seen

    @property
    def moderators(self) -> list[str]:
        """W (and Z for models 2 and 3)."""
        return [v for v in (self.w, self.z) if v is not None]

    @property
    def is_mediation(self) -> bool:
        """True for the models with mediators."""
        return bool(self.m)

    def equation(self, outcome: str) -> Equation:
        """The equation of ``outcome``."""
        for eq in self.equations:
            if eq.outcome == outcome:
                return eq
        raise KeyError(outcome)


def _names(value, what: str) -> tuple:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    try:
        out = tuple(value)
    except TypeError:
        raise ModelSpecificationError(f"{what} must be a column name or a list of names, not {value!r}") from None
    if not all(isinstance(v, str) and v for v in out):
        raise ModelSpecificationError(f"{what} must be column names (strings), not {value!r}")
    return out


def _check_roles(model: int, m: tuple, w, z) -> None:
    if model not in MODELS:
        raise ModelSpecificationError(
            f"PROCESS model {model!r} is not available; models: {', '.join(map(str, MODELS))}")
    needs_m = model not in MODERATION
    if needs_m and not m:
        raise ModelSpecificationError(f"model {model} is a mediation model: name the mediator(s) with m=")
    if not needs_m and m:
        raise ModelSpecificationError(f"model {model} has no mediator; drop m= (mediation models: 4-8, 14, 15, 58, 59)")
    if model == 6 and not 2 <= len(m) <= _MAX_SERIAL:
        raise ModelSpecificationError(f"model 6 (serial mediation) needs 2 to {_MAX_SERIAL} mediators, got {len(m)}")
    if model in (4, 6) and w is not None:
        raise ModelSpecificationError(f"model {model} has no moderator; drop w= (or choose a moderated model)")
    if model not in (4, 6) and w is None:
        raise ModelSpecificationError(f"model {model} needs a moderator w=")
    if model in (2, 3) and z is None:
        raise ModelSpecificationError(f"model {model} needs a second moderator z=")
    if model not in (2, 3) and z is not None:
        raise ModelSpecificationError(f"model {model} has no second moderator; drop z= (models 2 and 3 use one)")


def _chains(model: int, x: str, m: tuple, y: str) -> tuple:
    if model == 6:
        out = []
        for r in range(1, len(m) + 1):
            out += [(x, *sub, y) for sub in combinations(m, r)]
        return tuple(out)
    return tuple((x, mi, y) for mi in m)


def build_spec(model: int, x: str, y: str, m=None, w: str | None = None, z: str | None = None,
               covariates=None) -> ProcessSpec:
    """The equations, total-effect equation and indirect paths of a PROCESS model.

    Raises
    ------
    ModelSpecificationError
        Unknown model, missing or superfluous roles (mediators, W, Z), a variable in two roles.

    Examples
    --------
    >>> s = build_spec(7, "PBL", "RES", m=["NET"], w="tenure")
    >>> [(e.outcome, e.names) for e in s.equations]  # doctest: +NORMALIZE_WHITESPACE
    [('NET', ('constant', 'PBL', 'tenure', 'PBL:tenure')), ('RES', ('constant', 'PBL', 'NET'))]
    >>> build_spec(6, "X", "Y", m=["M1", "M2"]).chains
    (('X', 'M1', 'Y'), ('X', 'M2', 'Y'), ('X', 'M1', 'M2', 'Y'))
    """
    if isinstance(model, str) and model.strip().isdigit():
        model = int(model)
    if isinstance(model, bool) or not isinstance(model, numbers.Integral):
        raise ModelSpecificationError(f"model must be a PROCESS model number ({', '.join(map(str, MODELS))}), "
                                      f"not {model!r}")
    model = int(model)
    if not isinstance(x, str) or not x or not isinstance(y, str) or not y:
        raise ModelSpecificationError("x= and y= must each name one column")
    m = _names(m, "m")
    cov = _names(covariates, "covariates")
    for name, v in (("w", w), ("z", z)):
        if v is not None and (not isinstance(v, str) or not v):
            raise ModelSpecificationError(f"{name}= must name one column, not {v!r}")
    _check_roles(model, m, w, z)
    roles = [x, y, *m, *([w] if w else []), *([z] if z else []), *cov]
    dup = sorted({v for v in roles if roles.count(v) > 1})
    if dup:
        raise ModelSpecificationError(f"each variable may play one role only; named twice: {', '.join(dup)}")
    C = tuple((c,) for c in cov)
    X, W, Z = (x,), (w,), (z,)
    if model == 1:
        eqs = [Equation(y, (X, W, (x, w)) + C, y)]
    elif model == 2:
        eqs = [Equation(y, (X, W, Z, (x, w), (x, z)) + C, y)]
    elif model == 3:
        eqs = [Equation(y, (X, W, Z, (x, w), (x, z), (w, z), (x, w, z)) + C, y)]
    else:
        eqs = []
        for j, mj in enumerate(m):
            terms = [X]
            if model == 6:
                terms += [(mi,) for mi in m[:j]]
            if model in _A_MODERATED:
                terms += [W, (x, w)]
            eqs.append(Equation(mj, tuple(terms) + C, mj))
        terms = [X, *((mi,) for mi in m)]
        if model in _B_MODERATED or model in _C_MODERATED:
            terms.append(W)
        if model in _C_MODERATED:
            terms.append((x, w))
        if model in _B_MODERATED:
            terms += [(mi, w) for mi in m]
        eqs.append(Equation(y, tuple(terms) + C, y))
    total = Equation(y, (X,) + C, f"{y} (total effect)") if model in (4, 6) else None
    chains = _chains(model, x, m, y) if model not in MODERATION else ()
    return ProcessSpec(model=model, x=x, y=y, m=m, w=w, z=z, covariates=cov, equations=tuple(eqs), total=total,
                       chains=chains)
