"""Community-level structural models: residents nested in communities.

The field's hypotheses are often about communities (does party-building leadership at the community level raise
community resilience, over and above what a resident perceives?). :func:`community_model` answers them with the
model the design supports:

* with enough communities (``min_clusters``, default 20) a **two-level path model on construct scores**: the
  structural model of the instrument's framework is written once for the within-community level (how a
  resident's perceptions relate, around the community means) and once for the between-community level (how the
  community means relate), over the residents' construct scores (:meth:`SurveyWave.scores`); second-order
  constructs stay latent at each level over their facet scores; labels, ``:=`` effects and constraints apply to
  the between level (community effects). Scores rather than items keep the between-level covariance matrix small
  (a handful of variables), which 20-100 communities can estimate; a two-level model on 20+ items would need
  more communities than items.
* with fewer communities, the structural model on the items with **cluster-robust standard errors** (residents
  clustered in communities), and the reason why no two-level model was fitted.

:func:`twolevel_score_syntax` gives the two-level syntax for any structural model, for users who want to fit it
themselves (``rs.sem(syntax, scores, cluster=...)``).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError, EstimationError, ModelSpecificationError
from .syntax import Formula, parse_model

__all__ = ["CommunityModel", "community_model", "twolevel_score_syntax"]

#: Fewest communities for a two-level model (below it: cluster-robust standard errors).
MIN_CLUSTERS = 20


@dataclass
class CommunityModel:
    """Result of :func:`community_model`.

    Attributes
    ----------
    kind : {"two-level", "cluster-robust"}
    fit : SEMResult
        The fitted model (``fit.estimates`` has a ``level`` column for the two-level model).
    n_clusters, n_obs : int
        Communities and residents analysed.
    cluster : str
        The community column.
    syntax : str
        The lavaan syntax fitted.
    reason : str
        Why this kind of model was fitted (with fewer than ``min_clusters`` communities: why no two-level model).
    min_clusters : int
    warnings : list of str
        The fit's warnings.
    failure : str
        Why the two-level model was not used although there were enough communities (it did not converge, had
        no standard errors, or failed numerically); empty otherwise.
    """

    kind: str
    fit: Any
    n_clusters: int
    n_obs: int
    cluster: str
    syntax: str
    reason: str
    min_clusters: int = MIN_CLUSTERS
    warnings: list[str] = field(default_factory=list)
    failure: str = ""

    def effects(self) -> pd.DataFrame:
        """The community-level structural estimates: between-level regressions and the ``:=`` effects of a
        two-level model, or the regressions and effects of the cluster-robust model (lavaan column names)."""
        est = self.fit.estimates
        keep = est["op"].isin(["~", ":="])
        if self.kind == "two-level":
            keep &= (est["level"] == 2) | (est["op"] == ":=")
        return est[keep].reset_index(drop=True)


def _formula_text(f: Formula, with_labels: bool, rename: dict[str, str]) -> str:
    mod = f.modifier
    pre = ""
    if mod.fixed is not None and mod.fixed[0] is not None:
        pre = f"{mod.fixed[0]:g}*"
    elif with_labels and mod.label is not None and mod.label[0]:
        pre = f"{mod.label[0]}*"
    elif mod.start is not None and mod.start[0] is not None:
        pre = f"start({mod.start[0]:g})*"
    if mod.fixed is not None and len(mod.fixed) > 1 or mod.label is not None and len(mod.label) > 1:
        raise ModelSpecificationError("group-specific modifiers c(...) cannot be carried into a two-level model")
    return f"{rename.get(f.lhs, f.lhs)} {f.op} {pre}{rename.get(f.rhs, f.rhs)}"


def twolevel_score_syntax(model: str, scores: list[str]) -> str:
    """A two-level path model over construct scores with the structure of ``model``.

    Parameters
    ----------
    model : str
        lavaan syntax of a structural model over latent constructs (measurement lines ``F =~ items`` are
        replaced by the observed scores of the constructs).
    scores : list of str
        The constructs that have an observed score (the columns of :meth:`SurveyWave.scores`).

    Returns
    -------
    str
        ``level: 1`` and ``level: 2`` blocks with the structural relations among the scores (second-order
        constructs latent at each level, named ``<name>_w`` / ``<name>_b``); labels only at level 2, followed by
        the model's ``:=`` and constraint lines (which therefore concern the between-community effects).

    Raises
    ------
    ModelSpecificationError
        A model without structural relations among the constructs, or a construct without a score.

    Examples
    --------
    >>> print(twolevel_score_syntax("F =~ a + b + c\\nG =~ d + e + f\\nG ~ g1*F\\nind := g1*2", ["F", "G"]))
    level: 1
    G ~ F
    level: 2
    G ~ g1*F
    ind := g1 * 2
    """
    pm = parse_model(model)
    if any(f.level for f in pm.formulas):
        raise ModelSpecificationError("the model already has levels; pass a single-level structural model")
    scores = list(scores)
    score_set = set(scores)
    loadings = [f for f in pm.formulas if f.op == "=~"]
    latent = {f.lhs for f in loadings}
    # second-order constructs: every indicator is a construct with a score
    by_factor: dict[str, list[str]] = {}
    for f in loadings:
        by_factor.setdefault(f.lhs, []).append(f.rhs)
    second = {k for k, ind in by_factor.items() if all(i in score_set for i in ind)}
    first = latent - second
    missing = sorted(c for c in first if c not in score_set)
    if missing:
        raise ModelSpecificationError(f"construct(s) {', '.join(missing)} of the model have no score")
    known = score_set | second
    keep: list[Formula] = []
    for f in pm.formulas:
        if f.op == "=~":
            if f.lhs in second:
                keep.append(f)
        elif f.op in ("~", "~~"):
            if f.lhs in known and f.rhs in known:  # relations among items (residual covariances) are dropped
                keep.append(f)
        elif f.op == "~1":
            continue
        else:
            raise ModelSpecificationError(f"operator {f.op!r} cannot be carried into a two-level score model")
    if not any(f.op == "~" for f in keep):
        raise ModelSpecificationError("the model has no structural (regression) relations among its constructs")
    within = {k: f"{k}_w" for k in second}
    between = {k: f"{k}_b" for k in second}
    lines = ["level: 1"] + [_formula_text(f, False, within) for f in keep]
    lines += ["level: 2"] + [_formula_text(f, True, between) for f in keep]
    lines += [f"{name} := {text}" for name, _tree, text, _line in pm.definitions]
    lines += [text for *_x, text, _line in pm.constraints]
    return "\n".join(lines)


def _scores_and_cluster(data: Any, cluster: str | None) -> tuple[pd.DataFrame, list[str], str]:
    if hasattr(data, "scores") and hasattr(data, "data") and hasattr(data, "instrument"):
        scores = data.scores()
        if cluster is None:
            ids = [f for f in data.instrument.field_ids("cluster") if f in data.data.columns]
            if not ids:
                raise DataError("the data have no community (cluster) column: pass cluster= or declare a cluster "
                                "field in the instrument")
            cluster = ids[0]
        if cluster not in data.data.columns:
            raise DataError(f"cluster column {cluster!r} not found in the data")
        frame = scores.assign(**{cluster: data.data[cluster].to_numpy()})
        return frame, list(scores.columns), cluster
    if not isinstance(data, pd.DataFrame):
        raise DataError(f"expected a SurveyWave or a DataFrame of construct scores, got {type(data).__name__}")
    if cluster is None or cluster not in data.columns:
        raise DataError("pass cluster= naming the community column of the scores DataFrame")
    cols = [c for c in data.columns if c != cluster and pd.api.types.is_numeric_dtype(data[c])]
    return data, cols, cluster


def community_model(data: Any, model: str | None = None, cluster: str | None = None, *,
                    min_clusters: int = MIN_CLUSTERS, estimator: str = "MLR",
                    min_cluster_size: int = 2) -> CommunityModel:
    """The community-level structural model the design supports (see the module docstring).

    Parameters
    ----------
    data : SurveyWave or pandas.DataFrame
        A wave (its construct scores and its community field), or construct scores with a community column.
    model : str, optional
        lavaan syntax of the structural model over the constructs; default: the instrument's framework model.
    cluster : str, optional
        The community column; default: the instrument's cluster field.
    min_clusters : int, default 20
        Fewest communities for the two-level model; below it the item-level structural model is fitted with
        cluster-robust standard errors (listwise deletion) and ``reason`` says why.
    estimator : {"MLR", "ML"}
        Two-level model: MLR gives cluster-level robust standard errors and the Yuan-Bentler test.
    min_cluster_size : int, default 2
        Communities with fewer residents are an error for the two-level model (often a mistyped id); 1 keeps
        them (as lavaan does).

    Returns
    -------
    CommunityModel

    Examples
    --------
    >>> import warnings; warnings.simplefilter("ignore")  # the example's between-community variances are tiny
    >>> import resilience_stats as rs
    >>> wave = rs.read_survey(rs.example_survey(n=600, seed=2, communities=30), "party_building_social_capital")
    >>> cm = rs.community_model(wave)
    >>> cm.kind, cm.n_clusters
    ('two-level', 30)
    >>> small = rs.community_model(wave, min_clusters=40)
    >>> small.kind
    'cluster-robust'
    """
    from . import sem as _sem

    if model is None:
        inst = getattr(data, "instrument", None)
        if inst is None:
            raise ModelSpecificationError("pass model= (lavaan syntax of the structural model)")
        from ..workflow import resolve_model

        model = resolve_model(None, inst)[1]
    frame, score_cols, cluster = _scores_and_cluster(data, cluster)
    ids = frame[cluster]
    n_clusters = int(ids.dropna().nunique())
    if n_clusters < 2:
        raise DataError(f"community_model needs at least 2 communities in {cluster!r}, got {n_clusters}")
    failure = ""
    if n_clusters >= min_clusters:
        syntax = twolevel_score_syntax(model, score_cols)
        try:
            with warnings.catch_warnings(record=True) as caught:  # re-issued only if this model is the one used
                warnings.simplefilter("always")
                fit = _sem(syntax, frame, cluster=cluster, estimator=estimator, min_cluster_size=min_cluster_size)
            if not fit.converged:
                failure = "the estimation did not converge"
            elif not np.isfinite(fit.estimates["se"].to_numpy(dtype=float)).any():
                failure = "its information matrix is singular (no standard errors)"
        except EstimationError as err:
            failure = str(err)
        if not failure:
            for w in caught:
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
            reason = (f"{n_clusters} communities (at least {min_clusters}): a two-level path model of the construct "
                      "scores, with the structural model within and between communities")
            return CommunityModel("two-level", fit, n_clusters, fit.n_obs, cluster, syntax, reason, min_clusters,
                                  list(fit.warnings))
    if not (hasattr(data, "data") and hasattr(data, "instrument")):
        raise DataError(f"only {n_clusters} communities (fewer than {min_clusters}) and no item data: the "
                        "cluster-robust item-level model needs a SurveyWave" if not failure else
                        f"the two-level model could not be estimated ({failure}) and there are no item data for "
                        "the cluster-robust item-level model")
    fit = _sem(model, data, cluster=cluster, estimator=estimator, missing="listwise")
    if failure:
        icc = _score_icc(frame, score_cols, cluster)
        reason = (f"{n_clusters} communities, but the two-level path model of the construct scores could not be "
                  f"estimated ({failure}; the largest ICC of the scores is {icc:.3f}: the community means barely "
                  "differ): the structural model is estimated on residents with cluster-robust standard errors "
                  "instead; community-level effects are not separated from resident-level ones")
    else:
        reason = (f"only {n_clusters} communities (a two-level model needs about {min_clusters} or more for stable "
                  "between-community estimates): the structural model is estimated on residents with cluster-robust "
                  "standard errors (residents clustered in communities) instead; community-level effects are not "
                  "separated from resident-level ones")
    return CommunityModel("cluster-robust", fit, n_clusters, fit.n_obs, cluster, model, reason, min_clusters,
                          list(fit.warnings), failure)


def _score_icc(frame: pd.DataFrame, cols: list[str], cluster: str) -> float:
    """The largest one-way ANOVA ICC(1) of the scores (a description for the fallback's reason)."""
    best = 0.0
    for c in cols:
        d = frame[[c, cluster]].dropna()
        g = d.groupby(cluster)[c]
        n_j = g.size()
        k = (len(d) - (n_j ** 2).sum() / len(d)) / max(len(n_j) - 1, 1)
        msb = (n_j * (g.mean() - d[c].mean()) ** 2).sum() / max(len(n_j) - 1, 1)
        msw = ((d[c] - g.transform("mean")) ** 2).sum() / max(len(d) - len(n_j), 1)
        denom = msb + (k - 1) * msw
        if denom > 0:
            best = max(best, float((msb - msw) / denom))
    return best
