"""An example survey generated from a known population model (for tutorials and tests).

The population model is built from the instrument's construct roles, so it works for any instrument:

* **structural units** are the constructs that take part in paths: a first-order construct without a parent,
  or a second-order construct (its facets load on it and take no paths of their own);
* ``party_building`` units are exogenous; when there are several, they form a chain in questionnaire order
  (each = ``PB_CHAIN`` x the previous one + noise, e.g. STRUCT -> RESO -> EMO);
* each ``social_capital`` unit = ``SC_FROM_PB`` (0.5, split equally over several party-building units)
  x party-building + noise;
* each ``resilience`` / ``outcome`` unit = ``OUT_FROM_SC`` (0.25) from every social-capital unit plus a direct
  ``OUT_FROM_PB`` (0.15) from every party-building unit; when the instrument has no social-capital construct,
  every party-building unit -> every outcome is ``OUT_FROM_PB_ONLY`` (0.25);
* ``other`` units are exogenous and unrelated;
* all latent variables are standardized (variance 1; disturbance variances = 1 - R^2); facets load on their
  second-order construct with ``SECOND_ORDER_PATTERN``; items load on their construct with standardized
  loadings from ``LOADING_PATTERN`` (0.70-0.85), cycling within each construct;
* the first party-building unit has a community random intercept (ICC ``ICC_PB`` = 0.05 of its variance);
  wave w > 1 adds ``WAVE_SHIFT`` x (w - 1) to its mean (the increase propagates along the paths);
* continuous responses are cut into the scale's categories at thresholds -1.5, -0.5, 0.5, 1.5 (5 points;
  evenly spaced otherwise) shifted down by ``THRESHOLD_SHIFT`` (0.5), so the mean answer is near 3.5.

:func:`example_survey` is a thin layer over :func:`resilience_stats.simulate`: the population model
(``example_population(...)["population_model"]``, standardized) -> ``simulate`` with the waves as groups (latent
mean shift), the communities as clusters (random intercept on the first party-building unit), ordinal cutting
and MCAR missingness -> the export format (scale codes, reverse-keyed items reversed, part of the missing
answers as missing codes 8/9, ids, demographics and durations drawn from a second seed stream).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..instruments import Instrument, load_instrument
from ..simulate import simulate

PB_CHAIN = 0.4
SC_FROM_PB = 0.5
OUT_FROM_SC = 0.25
OUT_FROM_PB = 0.15
OUT_FROM_PB_ONLY = 0.25
LOADING_PATTERN = (0.80, 0.75, 0.85, 0.72, 0.78, 0.82, 0.70, 0.76)
SECOND_ORDER_PATTERN = (0.80, 0.85, 0.75, 0.82, 0.78)
ICC_PB = 0.05
WAVE_SHIFT = 0.2
THRESHOLD_SHIFT = 0.5
MISSING_CODE_SHARE = 0.15  # share of the missing cells written as a missing code (8/9) rather than empty
SPEEDER_SHARE = 0.02

# demographic columns: {name: (codes, probabilities)}
_DEMOGRAPHICS = {
    "gender": ((1, 2), (0.48, 0.52)),
    "party_member": ((1, 2), (0.2, 0.8)),  # 1 = member, 2 = non-member (as in the bundled instruments)
    "hukou": ((1, 2), (0.7, 0.3)),
    "education": ((1, 2, 3, 4, 5), (0.10, 0.25, 0.30, 0.30, 0.05)),
}


def example_population(instrument="party_building_social_capital") -> dict:
    """The population model behind :func:`example_survey` (standardized; see the module docstring).

    Parameters
    ----------
    instrument : Instrument, str or pathlib.Path
        The questionnaire (bundled name, YAML path or Instrument).

    Returns
    -------
    dict
        ``instrument`` (id); ``units`` (structural constructs in causal order); ``paths``
        {dependent: {predictor: standardized coefficient}}; ``residual_variances`` and ``r2`` {unit: value};
        ``second_order_loadings`` {facet: loading on its parent}; ``loadings`` {item: standardized loading};
        ``latent_correlations`` (DataFrame over all constructs, units and facets); ``thresholds`` (of a
        5-point item, in z units, after the shift); ``icc`` {construct: ICC}; ``wave_shift`` {construct:
        mean increase per wave}; ``model`` (lavaan syntax of the generating model: measurement, second-order
        and structural lines); ``population_model`` (the same with every loading and path written as its
        population value: the input of :func:`resilience_stats.simulate` / :func:`resilience_stats.power`).

    Examples
    --------
    >>> pop = example_population("party_building_social_capital")  # doctest: +SKIP
    >>> pop["paths"]["NET"]  # doctest: +SKIP
    {'PBL': 0.5}
    >>> pop["paths"]["RES"]  # doctest: +SKIP
    {'NET': 0.25, 'NORM': 0.25, 'TRUST': 0.25, 'PBL': 0.15}
    """
    inst = load_instrument(instrument)
    constructs = {c.id: c for c in inst.spec.constructs}
    units = [c.id for c in inst.spec.constructs if c.parent is None]
    pb = [u for u in units if constructs[u].role == "party_building"]
    sc = [u for u in units if constructs[u].role == "social_capital"]
    out = [u for u in units if constructs[u].role in ("resilience", "outcome")]
    other = [u for u in units if constructs[u].role == "other"]
    order = pb + other + sc + out
    paths: dict[str, dict[str, float]] = {}
    for previous, u in zip(pb, pb[1:]):
        paths[u] = {previous: PB_CHAIN}
    for u in sc:
        if pb:
            paths[u] = {p: SC_FROM_PB / len(pb) for p in pb}
    for u in out:
        coefs = {s: OUT_FROM_SC for s in sc}
        coefs.update({p: (OUT_FROM_PB if sc else OUT_FROM_PB_ONLY) for p in pb})
        if coefs:
            paths[u] = coefs

    phi = pd.DataFrame(np.eye(len(order)), index=order, columns=order)
    residual = {}
    for k, u in enumerate(order):
        coefs = paths.get(u, {})
        if not coefs:
            residual[u] = 1.0
            continue
        preds = list(coefs)
        b = np.array([coefs[p] for p in preds])
        explained = float(b @ phi.loc[preds, preds].to_numpy() @ b)
        if explained >= 1:
            raise ValueError(f"the example model explains {explained:.2f} of {u}'s variance; too many predictors")
        residual[u] = 1.0 - explained
        for other_unit in order[:k]:
            value = float(b @ phi.loc[preds, other_unit].to_numpy())
            phi.loc[u, other_unit] = phi.loc[other_unit, u] = value

    second_loadings = {}
    for parent, facets in inst.second_order.items():
        for j, facet in enumerate(facets):
            second_loadings[facet] = SECOND_ORDER_PATTERN[j % len(SECOND_ORDER_PATTERN)]
    loadings = {}
    for construct, items in inst.construct_items.items():
        for j, item in enumerate(items):
            loadings[item] = LOADING_PATTERN[j % len(LOADING_PATTERN)]

    names = [c.id for c in inst.spec.constructs]
    full = pd.DataFrame(np.eye(len(names)), index=names, columns=names)

    def anchor(c):  # (unit, multiplier) of a construct
        parent = constructs[c].parent
        return (parent, second_loadings[c]) if parent is not None else (c, 1.0)

    for a in names:
        for b_ in names:
            if a == b_:
                continue
            (ua, ma), (ub, mb) = anchor(a), anchor(b_)
            full.loc[a, b_] = ma * mb * (1.0 if ua == ub else phi.loc[ua, ub])

    structural = [f"{u} ~ " + " + ".join(f"{coef:g}*{p}" for p, coef in coefs.items()) for u, coefs in paths.items()]
    model = inst.measurement_model() + ("\n".join(structural) + "\n" if structural else "")
    valued = [f"{c} =~ " + " + ".join(f"{loadings[i]:g}*{i}" for i in ids) for c, ids in inst.construct_items.items()]
    valued += [f"{p} =~ " + " + ".join(f"{second_loadings[f]:g}*{f}" for f in facets)
               for p, facets in inst.second_order.items()]
    population_model = "\n".join(valued + structural) + "\n"
    return {
        "instrument": inst.id,
        "units": order,
        "paths": paths,
        "residual_variances": residual,
        "r2": {u: 1.0 - r for u, r in residual.items()},
        "second_order_loadings": second_loadings,
        "loadings": loadings,
        "latent_correlations": full,
        "thresholds": _thresholds(5),
        "icc": {pb[0]: ICC_PB} if pb else {},
        "wave_shift": {pb[0]: WAVE_SHIFT} if pb else {},
        "model": model,
        "population_model": population_model,
    }


def example_survey(
    instrument="party_building_social_capital",
    n: int = 500,
    seed: int = 0,
    waves: int = 1,
    communities: int = 20,
    missing_rate: float = 0.03,
    as_text: bool = False,
) -> pd.DataFrame:
    """Raw survey responses, as a platform would export them, drawn from :func:`example_population`.

    Reverse-keyed items are stored as answered (reversed); ``read_survey`` recodes them.

    Parameters
    ----------
    instrument : Instrument, str or pathlib.Path
        Bundled name, YAML path or Instrument.
    n : int, default 500
        Respondents per wave.
    seed : int, default 0
        Seed of the numpy Generator; the same seed gives the same table.
    waves : int, default 1
        Number of waves, stacked (independent samples of ``n``, respondent ids unique across waves); each later
        wave has a slightly higher party-building mean.
    communities : int, default 20
        Communities "C01", "C02", ... with a random intercept on party-building (ICC 0.05).
    missing_rate : float, default 0.03
        Share of item answers missing completely at random; most are empty (NaN), about 15 % carry one of
        the instrument's missing codes (e.g. 8/9).
    as_text : bool, default False
        Export answers as option texts ("非常同意", missing codes as their labels) and durations as "125秒",
        like Wenjuanxing's text export.

    Returns
    -------
    pandas.DataFrame
        Columns: respondent id, community, wave, the items (instrument ids), age, gender, years_in_community,
        party_member, hukou, education, duration (seconds). The id, community, wave and duration columns
        take the instrument's field ids when it declares exactly one field of that role.

    Examples
    --------
    >>> df = example_survey("party_building_social_capital", n=200, seed=1)  # doctest: +SKIP
    >>> wave = read_survey(df, "party_building_social_capital")  # doctest: +SKIP
    """
    if int(n) < 1 or int(waves) < 1 or int(communities) < 1:
        raise ValueError("n, waves and communities must be at least 1")
    if not 0 <= missing_rate < 1:
        raise ValueError(f"missing_rate must be in [0, 1), not {missing_rate}")
    inst = load_instrument(instrument)
    pop = example_population(inst)
    sim_seed, extra_seed = np.random.SeedSequence(seed).spawn(2)
    n, waves, communities = int(n), int(waves), int(communities)
    icc_unit = next(iter(pop["icc"]), None)
    bounds = {item: _bounds(inst, item) for item in inst.item_ids}
    data = simulate(
        pop["population_model"], n, np.random.default_rng(sim_seed),
        ordinal={"thresholds": {item: _thresholds(int(hi - lo + 1)) for item, (lo, hi) in bounds.items()},
                 "items": inst.item_ids},
        missing={"mcar": missing_rate, "items": inst.item_ids} if missing_rate > 0 else None,
        clusters={"k": communities, "icc": pop["icc"][icc_unit] if icc_unit else 0.0,
                  "on": [icc_unit] if icc_unit else "observed"},
        groups={"levels": list(range(1, waves + 1)), "name": "wave", "latent_mean_shift": pop["wave_shift"]},
    )
    return _export(inst, data, np.random.default_rng(extra_seed), n, communities, as_text)


# -- helpers --------------------------------------------------------------------------------------------------
def _thresholds(k: int) -> np.ndarray:
    """Cut points of a k-category item in z units: -1.5, -0.5, 0.5, 1.5 for k = 5, shifted down."""
    return (np.arange(1, k) - k / 2) * (4.0 / (k - 1)) - THRESHOLD_SHIFT


def _field_name(inst: Instrument, role: str, default: str) -> str:
    ids = inst.field_ids(role)
    return ids[0] if len(ids) == 1 else default


def _bounds(inst: Instrument, item: str) -> tuple[int, int]:
    scale = inst.scale_of(item)
    return (int(scale.min), int(scale.max)) if scale.bounded else (1, 5)


def _export(inst: Instrument, data: pd.DataFrame, rng: np.random.Generator, n: int, communities: int,
            as_text: bool) -> pd.DataFrame:
    """Simulated codes 1..k -> the platform's export: scale codes, reverse-keyed items reversed, some missing
    answers as missing codes, ids, community labels, demographics and durations."""
    total = len(data)
    reverse = set(inst.reverse_items)
    answers = {}
    for item in inst.item_ids:
        lo, hi = _bounds(inst, item)
        code = lo - 1 + data[item].to_numpy(dtype=float)
        answers[item] = lo + hi - code if item in reverse else code
    values = pd.DataFrame(answers).to_numpy(dtype=float, copy=True)
    as_code = np.isnan(values) & (rng.random(values.shape) < MISSING_CODE_SHARE)
    code_pick = rng.random(values.shape)
    for j, item in enumerate(inst.item_ids):
        codes = sorted(inst.missing_codes(item))
        if codes:
            rows = as_code[:, j]
            values[rows, j] = np.array(codes, dtype=float)[(code_pick[rows, j] * len(codes)).astype(int)]
    answers = pd.DataFrame(values, columns=inst.item_ids)
    if as_text:
        answers = pd.DataFrame({item: _as_text(answers[item], inst, item) for item in answers.columns})

    id_name, comm_name = _field_name(inst, "id", "respondent_id"), _field_name(inst, "cluster", "community")
    wave_name, dur_name = _field_name(inst, "wave", "wave"), _field_name(inst, "duration", "duration")
    width = max(2, len(str(communities)))
    id_width = max(4, len(str(total)))
    head = pd.DataFrame(
        {
            id_name: [f"R{i + 1:0{id_width}d}" for i in range(total)],
            comm_name: [f"C{int(c):0{width}d}" for c in data["cluster"]],
            wave_name: data["wave"].to_numpy(dtype=int),
        }
    )
    age = np.clip(np.round(rng.normal(45, 15, total)), 18, 85).astype(int)
    tail = {"age": age}
    for name, (codes, probs) in _DEMOGRAPHICS.items():
        tail[name] = _draw_levels(inst, name, codes, probs, rng, total)
        if name == "gender":
            tail["years_in_community"] = np.minimum(np.round(rng.exponential(10, total)), age - 18).astype(int)
    median = 60 + 8 * len(inst.item_ids)
    seconds = np.round(median * np.exp(rng.normal(0, 0.35, total)))
    fast = rng.random(total) < SPEEDER_SHARE
    seconds[fast] = np.round(rng.uniform(0.10, 0.25, fast.sum()) * median)
    seconds = seconds.astype(int)
    tail[dur_name] = [f"{s}秒" for s in seconds] if as_text else seconds
    tail = pd.DataFrame({k: tail[k] for k in ["age", "gender", "years_in_community", "party_member", "hukou",
                                               "education", dur_name]})
    return pd.concat([head, answers, tail], axis=1)


def _draw_levels(inst, name, codes, probs, rng, n) -> np.ndarray:
    """Draw a demographic; use the instrument's level codes when it declares others for this field."""
    try:
        levels = tuple(sorted(inst.field(name).levels))
    except KeyError:
        levels = ()
    if levels and set(levels) != set(codes):
        codes, probs = levels, tuple(np.full(len(levels), 1 / len(levels)))
    return rng.choice(np.array(codes), size=n, p=np.array(probs))


def _as_text(codes: pd.Series, inst: Instrument, item: str) -> pd.Series:
    labels = {**inst.missing_codes(item), **inst.scale_of(item).labels}
    out = []
    for value in codes.tolist():
        if np.isnan(value):
            out.append(np.nan)
        elif int(value) in labels:
            out.append(labels[int(value)].zh)
        else:
            out.append(str(int(value)))
    return pd.Series(out, index=codes.index, dtype=object, name=item)
