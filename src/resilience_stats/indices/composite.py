"""Composite index of communities: normalization, weights, TOPSIS, composite score, rank and obstacle degree.

:func:`composite_index` puts the pure functions of :mod:`.weights` and :mod:`.ahp` together on a
community-level table (one row per community, or per community and wave). The formulas and conventions are
stated in :mod:`.weights`; the choices made here:

* **Waves.** With a ``wave`` column, all community-waves are normalized and weighted together (one minimum and
  maximum per indicator, one weight vector), so that scores are comparable across waves (the panel
  convention); ``by`` gives separate analyses per group (e.g. ``by="wave"`` for per-wave weights, whose scores
  are then not comparable across waves).
* **Score.** ``weighted_sum = sum_j w_j z_ij`` and the TOPSIS ``closeness`` are both reported; ``score`` (the
  ranked one) is the closeness by default (``score="weighted"`` ranks the weighted sum). Rank 1 is the best
  community within its wave (ties share the smaller rank).
* **Bad input** is refused with a :class:`~resilience_stats.errors.DataError`: fewer than 3 communities (per
  group), fewer than 2 indicators, a missing or non-numeric value, a constant indicator (min-max normalization
  and the entropy are undefined), a negative value where a logarithm is taken (``normalize="none"``), a
  community listed twice in a wave. An AHP matrix with CR >= 0.10 is flagged (``warnings`` and
  :class:`~resilience_stats.indices.ahp.AHPConsistencyWarning`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from ..errors import DataError
from .ahp import AHPResult, ahp_weights, inconsistency_message
from .community import community_indicators, default_indicators
from .weights import (
    critic_weights,
    entropy_weights,
    game_theory_combination,
    minmax,
    multiplicative_combination,
    obstacle_degree,
    topsis,
    vector_topsis,
)

__all__ = ["CompositeIndexResult", "METHODS", "composite_index"]

METHODS = ("entropy", "critic", "ahp", "equal", "combined")
_POSITIVE = {"+", "positive", "benefit", "pos", "1", 1, True}
_NEGATIVE = {"-", "negative", "cost", "neg", "-1", -1, False}


@dataclass
class CompositeIndexResult:
    """A composite index of communities.

    Attributes
    ----------
    weights : pandas.DataFrame
        One row per indicator (and ``by`` group): [by], indicator, direction ("+" or "-"), the components'
        columns (entropy: ``entropy``, ``divergence``, ``w_entropy``; CRITIC: ``sd``, ``conflict``,
        ``information``, ``w_critic``; AHP: ``w_ahp``; equal: ``w_equal``), and the final ``weight``.
    scores : pandas.DataFrame
        One row per community (and wave): [by], id, [wave], weighted_sum, d_pos, d_neg, closeness, score,
        rank (1 = best within its wave and group).
    normalized : pandas.DataFrame
        [by], id, [wave] and the normalized, oriented indicators (1 = best).
    obstacle : pandas.DataFrame
        One row per community (-wave) and indicator: [by], id, [wave], indicator, deviation (1 - normalized),
        obstacle (share of the community's gap to the ideal, summing to 1), rank (1 = largest obstacle).
    ahp : AHPResult or None
    combination : pandas.DataFrame or None
        Combined weights: [by], component, alpha (the game-theory coefficient; NaN for the multiplicative
        combination).
    options : dict
        method, components, combine, shift, normalize, score, topsis, id, wave, by, indicators.
    warnings : list of str
    """

    weights: pd.DataFrame
    scores: pd.DataFrame
    normalized: pd.DataFrame
    obstacle: pd.DataFrame
    ahp: AHPResult | None = None
    combination: pd.DataFrame | None = None
    options: dict = field(default_factory=dict)
    warnings: list = field(default_factory=list)

    @property
    def indicators(self) -> list[str]:
        """The indicators, in the order given."""
        return list(self.options["indicators"])

    def __repr__(self) -> str:
        o = self.options
        return (f"<CompositeIndexResult {o['method']} weights, {o['score']} score: {len(self.scores)} rows, "
                f"{len(self.indicators)} indicators{', waves' if o.get('wave') else ''}"
                f"{', ' + str(len(self.warnings)) + ' warning(s)' if self.warnings else ''}>")

    def summary(self) -> str:
        """Weights and the ranking as text."""
        lines = [repr(self), "", "Weights:", self.weights.to_string(index=False, float_format=lambda v: f"{v:.4f}"),
                 "", "Scores:"]
        keys = [c for c in (*self.options["by"], self.options.get("wave")) if c]
        shown = self.scores.sort_values([*keys, "rank"], kind="stable")
        lines.append(shown.to_string(index=False, float_format=lambda v: f"{v:.4f}"))
        lines += [f"warning: {w}" for w in self.warnings]
        return "\n".join(lines)

    def to_table(self, kind: str | None = None, *, lang: str = "en", style: str = "apa", number: int | None = None,
                 title: Any = None, **options: Any):
        """A publication table: ``kind`` "scores" (default; ranked), "weights" or "obstacle".

        Returns a :class:`~resilience_stats.tables.PubTable` (see :mod:`resilience_stats.tables.indices`).
        """
        from ..tables.adapters import from_result  # presentation is imported only when asked for

        return from_result(self, kind, lang=lang, style=style, number=number, title=title, **options)

    def plot(self, kind: str = "bar", **kwargs: Any):
        """A figure: ``kind`` "bar" (scores per community), "heat" (normalized values or obstacle degrees) or
        "trend" (scores across waves); see :mod:`resilience_stats.plots.indices`."""
        from .. import plots  # matplotlib is imported only here

        draw = {"bar": plots.index_bars, "heat": plots.index_heatmap, "trend": plots.index_trends}.get(kind)
        if draw is None:
            raise DataError(f"kind must be 'bar', 'heat' or 'trend', not {kind!r}")
        return draw(self, **kwargs)


# -- input checks ---------------------------------------------------------------------------------------------------
def _directions(direction: Any, indicators: Sequence[str]) -> list[bool]:
    if direction is None:
        return [True] * len(indicators)
    if not isinstance(direction, Mapping):
        values = list(direction)
        if len(values) != len(indicators):
            raise DataError(f"direction: {len(values)} value(s) for {len(indicators)} indicators")
        direction = dict(zip(indicators, values))
    unknown = [k for k in direction if k not in indicators]
    if unknown:
        raise DataError(f"direction names indicator(s) not analysed: {', '.join(map(str, unknown))}")
    out = []
    for ind in indicators:
        v = direction.get(ind, "+")
        key = v.strip().lower() if isinstance(v, str) else v
        if key in _POSITIVE:
            out.append(True)
        elif key in _NEGATIVE:
            out.append(False)
        else:
            raise DataError(f"direction of {ind!r} must be '+' (benefit) or '-' (cost), not {v!r}")
    return out


def _numeric(frame: pd.DataFrame, indicators: Sequence[str], ids: pd.Series) -> np.ndarray:
    out = np.empty((len(frame), len(indicators)))
    for j, ind in enumerate(indicators):
        col = pd.to_numeric(frame[ind], errors="coerce")
        bad = col.isna().to_numpy()
        if bad.any():
            which = ", ".join(map(str, ids[bad].tolist()[:10]))
            raise DataError(f"indicator {ind!r} is missing or not numeric for {which}; complete the data first")
        out[:, j] = col.to_numpy(dtype=float)
    return out


def _prepare(frame: Any, indicators: Any, id: str, wave: str | None, by: Any):
    if hasattr(frame, "scores") and hasattr(frame, "instrument"):
        inst = frame.instrument
        indicators = list(indicators) if indicators is not None else default_indicators(inst)
        frame = community_indicators(frame, indicators)
        id = "community"
        if wave is None and "wave" in frame.columns:
            wave = "wave"
    if not isinstance(frame, pd.DataFrame):
        raise DataError(f"composite_index needs a DataFrame (one row per community) or a SurveyWave, got "
                        f"{type(frame).__name__}")
    frame = frame.copy()
    if id not in frame.columns:
        frame.insert(0, id, frame.index.astype(str))
    if wave is None and "wave" in frame.columns:
        wave = "wave"
    if wave is not None and wave not in frame.columns:
        raise DataError(f"wave column {wave!r} not found")
    by = [] if by is None else ([by] if isinstance(by, str) else list(by))
    missing = [b for b in by if b not in frame.columns]
    if missing:
        raise DataError(f"by column(s) {', '.join(missing)} not found")
    if wave in by:
        wave = None  # analysed per wave: the by column already identifies the wave
    keys = [*by, id, *([wave] if wave else [])]
    if indicators is None:
        indicators = [c for c in frame.columns if c not in keys and c != "n"
                      and pd.api.types.is_numeric_dtype(frame[c])]
    indicators = [str(i) for i in ([indicators] if isinstance(indicators, str) else indicators)]
    unknown = [i for i in indicators if i not in frame.columns]
    if unknown:
        raise DataError(f"indicator(s) {', '.join(unknown)} not found (have: {', '.join(map(str, frame.columns))})")
    if len(indicators) < 2:
        raise DataError("a composite index needs at least 2 indicators")
    if len(set(indicators)) != len(indicators):
        raise DataError("an indicator is listed twice")
    dup = frame.duplicated(subset=keys, keep=False)
    if dup.any():
        raise DataError(f"{', '.join(keys)} identify rows: {int(dup.sum())} rows are duplicates "
                        f"(e.g. {frame.loc[dup, id].iloc[0]!r})")
    return frame, indicators, id, wave, by


# -- one analysis (one by-group) ----------------------------------------------------------------------------------
def _component(name: str, z: np.ndarray, indicators: Sequence[str], ahp: AHPResult | None) -> dict[str, np.ndarray]:
    if name == "entropy":
        r = entropy_weights(z, indicators)
        return {"entropy": r["entropy"], "divergence": r["divergence"], "w_entropy": r["weight"]}
    if name == "critic":
        r = critic_weights(z)
        return {"sd": r["sd"], "conflict": r["conflict"], "information": r["information"], "w_critic": r["weight"]}
    if name == "ahp":
        return {"w_ahp": ahp.weights.reindex(indicators).to_numpy()}
    if name == "equal":
        return {"w_equal": np.full(len(indicators), 1.0 / len(indicators))}
    raise DataError(f"unknown weighting method {name!r}; use one of entropy, critic, ahp, equal")


def _group(sub: pd.DataFrame, indicators: list[str], positive: list[bool], opts: dict, ahp: AHPResult | None,
           label: str) -> tuple[dict, np.ndarray, dict, np.ndarray | None, np.ndarray]:
    """Weights (component columns and final), scores, game-theory coefficients and the normalized matrix."""
    ids = sub[opts["id"]].astype(str).reset_index(drop=True)
    if len(sub) < 3:
        raise DataError(f"{label}{len(sub)} case(s): a composite index needs at least 3 communities")
    x = _numeric(sub, indicators, ids)
    const = [ind for j, ind in enumerate(indicators) if np.ptp(x[:, j]) == 0]
    if const:
        raise DataError(f"{label}indicator(s) {', '.join(const)} take the same value for every community: a "
                        "constant indicator cannot be normalized and carries no information; drop it")
    if opts["normalize"] == "minmax":
        z = minmax(x, positive, opts["shift"])
    else:
        if not all(positive):
            raise DataError("normalize='none' takes the indicators as already oriented: a '-' direction needs "
                            "normalize='minmax'")
        z = x
    cols: dict[str, np.ndarray] = {}
    vectors = []
    for name in opts["components"]:
        part = _component(name, z, indicators, ahp)
        cols.update(part)
        vectors.append(part[f"w_{name}"])
    alpha = None
    if opts["method"] == "combined":
        stacked = np.vstack(vectors)
        if opts["combine"] == "multiplicative":
            w = multiplicative_combination(stacked)
        else:
            comb = game_theory_combination(stacked)
            w, alpha = comb["weight"], comb["alpha"]
    else:
        w = vectors[0]
    if opts["topsis"] == "vector":
        scores = vector_topsis(x, w, positive)
    else:
        scores = topsis(z, w)
    scores["weighted_sum"] = z @ w
    return cols, w, scores, alpha, z


def composite_index(
    frame: Any,
    indicators: Sequence[str] | None = None,
    direction: Mapping[str, Any] | Sequence[Any] | None = None,
    method: str = "entropy",
    *,
    by: str | Sequence[str] | None = None,
    wave: str | None = None,
    id: str = "community",
    ahp_matrix: Any = None,
    components: Sequence[str] | None = None,
    combine: str = "game",
    shift: float = 0.0,
    normalize: str = "minmax",
    score: str = "topsis",
    topsis_normalization: str = "minmax",
    ahp_ri: Any = None,
) -> CompositeIndexResult:
    """Composite index of communities with entropy, CRITIC, AHP, equal or combined weights, TOPSIS closeness,
    ranks and the obstacle degree of each indicator.

    Parameters
    ----------
    frame : pandas.DataFrame or SurveyWave
        One row per community (or community and wave) with the indicators as columns. A SurveyWave is first
        turned into community means of its construct scores (:func:`community_indicators`; default indicators:
        :func:`default_indicators`).
    indicators : list of str, optional
        Default: every numeric column except id, wave, ``by`` and ``n``.
    direction : {indicator: "+" | "-"} or list, optional
        "+" (benefit, larger is better; the default for an indicator not named) or "-" (cost).
    method : {"entropy", "critic", "ahp", "equal", "combined"}
    by : str or list of str, optional
        Columns whose groups are analysed separately (own normalization and weights).
    wave : str, optional
        The wave column (default "wave" when present): scores per community and wave, normalized together.
    id : str, default "community"
        The column naming the communities (default: the index when there is no such column).
    ahp_matrix : array-like or DataFrame, optional
        Pairwise comparisons of the indicators (for "ahp", and "combined" with an AHP component).
    components : list of str, optional
        The weightings "combined" combines; default ("ahp", "entropy") with an AHP matrix, else ("entropy",
        "critic").
    combine : {"game", "multiplicative"}, default "game"
        Linear game-theory or multiplicative combination (see :mod:`.weights`).
    shift : float, default 0
        Normalized value ``shift + (1 - shift) z`` (e.g. 0.01); 0 uses 0 * ln 0 = 0 in the entropy.
    normalize : {"minmax", "none"}, default "minmax"
        "none": the indicators are already normalized and oriented (all directions "+").
    score : {"topsis", "weighted"}, default "topsis"
        The ranked score: TOPSIS closeness or the weighted sum.
    topsis_normalization : {"minmax", "vector"}, default "minmax"
        TOPSIS on the min-max normalized matrix, or Hwang & Yoon's vector normalization of the raw values.
    ahp_ri : mapping or float, optional
        Random index for the AHP consistency ratio (default Saaty's table).

    Returns
    -------
    CompositeIndexResult

    Raises
    ------
    DataError
        See the module docstring.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"community": ["A", "B", "C", "D"], "trust": [3.2, 4.1, 3.8, 2.9],
    ...                   "networks": [3.0, 3.9, 3.1, 3.3], "conflicts": [12, 4, 8, 10]})
    >>> res = composite_index(d, ["trust", "networks", "conflicts"], {"conflicts": "-"})
    >>> res.scores.sort_values("rank")["community"].tolist()
    ['B', 'C', 'D', 'A']
    >>> float(round(res.weights["weight"].sum(), 12))
    1.0
    """
    if method not in METHODS:
        raise DataError(f"method must be one of {', '.join(METHODS)}, not {method!r}")
    if combine not in ("game", "multiplicative"):
        raise DataError(f"combine must be 'game' or 'multiplicative', not {combine!r}")
    if normalize not in ("minmax", "none"):
        raise DataError(f"normalize must be 'minmax' or 'none', not {normalize!r}")
    if score not in ("topsis", "weighted"):
        raise DataError(f"score must be 'topsis' or 'weighted', not {score!r}")
    if topsis_normalization not in ("minmax", "vector"):
        raise DataError(f"topsis_normalization must be 'minmax' or 'vector', not {topsis_normalization!r}")
    if not 0 <= shift < 1:
        raise DataError(f"shift must be in [0, 1), not {shift}")
    frame, indicators, id, wave, by = _prepare(frame, indicators, id, wave, by)
    positive = _directions(direction, indicators)
    if method == "combined":
        comps = list(components) if components is not None else (
            ["ahp", "entropy"] if ahp_matrix is not None else ["entropy", "critic"])
        if len(comps) < 2:
            raise DataError("method='combined' needs at least two components")
    else:
        if components is not None:
            raise DataError("components= applies to method='combined' only")
        comps = [method]
    ahp = None
    warnings_: list[str] = []
    if "ahp" in comps:
        if ahp_matrix is None:
            raise DataError("AHP weights need ahp_matrix= (pairwise comparisons of the indicators)")
        ahp = ahp_weights(ahp_matrix, indicators, ri=ahp_ri)      # warns when CR >= .10
        if not ahp.consistent:
            warnings_.append(inconsistency_message(ahp))
    elif ahp_matrix is not None:
        raise DataError(f"ahp_matrix= was given but method={method!r} does not use AHP weights")
    opts = {"method": method, "components": comps, "combine": combine, "shift": float(shift),
            "normalize": normalize, "score": score, "topsis": topsis_normalization, "id": id, "wave": wave,
            "by": by, "indicators": indicators}
    groups = [((), frame)] if not by else [(k if isinstance(k, tuple) else (k,), g)
                                          for k, g in frame.groupby(by, sort=True, observed=True)]
    w_rows, s_frames, n_frames, o_frames, c_rows = [], [], [], [], []
    keys = [id, *([wave] if wave else [])]
    for key, sub in groups:
        sub = sub.reset_index(drop=True)
        label = ("group " + ", ".join(f"{b}={v}" for b, v in zip(by, key)) + ": ") if by else ""
        cols, w, sc, alpha, z = _group(sub, indicators, positive, opts, ahp, label)
        tag = dict(zip(by, key))
        for j, ind in enumerate(indicators):
            w_rows.append({**tag, "indicator": ind, "direction": "+" if positive[j] else "-",
                           **{c: float(v[j]) for c, v in cols.items()}, "weight": float(w[j])})
        if method == "combined":
            for m, name in enumerate(comps):
                c_rows.append({**tag, "component": name, "alpha": float(alpha[m]) if alpha is not None else np.nan})
        base = sub[keys].reset_index(drop=True)
        for b, v in reversed(list(tag.items())):
            base.insert(0, b, v)
        s = base.assign(weighted_sum=sc["weighted_sum"], d_pos=sc["d_pos"], d_neg=sc["d_neg"],
                        closeness=sc["closeness"])
        s["score"] = s["closeness"] if score == "topsis" else s["weighted_sum"]
        s_frames.append(s)
        n_frames.append(pd.concat([base, pd.DataFrame(z, columns=indicators)], axis=1))
        obs = obstacle_degree(z, w)
        long = base.loc[base.index.repeat(len(indicators))].reset_index(drop=True)
        long["indicator"] = indicators * len(base)
        long["deviation"] = obs["deviation"].ravel()
        long["obstacle"] = obs["obstacle"].ravel()
        o_frames.append(long)
    scores = pd.concat(s_frames, ignore_index=True)
    rank_keys = [*by, *([wave] if wave else [])]
    ranker = scores.groupby(rank_keys, sort=False)["score"] if rank_keys else scores["score"]
    scores["rank"] = ranker.rank(ascending=False, method="min").astype(int)
    obstacle = pd.concat(o_frames, ignore_index=True)
    obstacle["rank"] = (obstacle.groupby([*by, *keys], sort=False)["obstacle"]
                        .rank(ascending=False, method="min").astype("Int64"))
    combination = pd.DataFrame(c_rows) if c_rows else None
    return CompositeIndexResult(pd.DataFrame(w_rows), scores, pd.concat(n_frames, ignore_index=True), obstacle,
                                ahp, combination, opts, warnings_)
