"""Monte Carlo power analysis for structural equation models (as R's simsem / Mplus MONTECARLO).

For every sample size, ``reps`` data sets are drawn from the population model (:func:`resilience_stats.simulate`)
and the analysis model is fitted to each (:func:`resilience_stats.sem`). Per parameter:

* ``power``: share of converged replicates with p < alpha (Wald z test of the parameter against 0);
* ``bias``: mean estimate - population value; ``mean_est``, ``sd_est`` (empirical SE), ``mean_se``;
* ``coverage``: share of converged replicates whose 95 % Wald interval est +/- 1.96 se holds the population
  value;
* ``converged_share``: share of replicates whose fit converged (failures count as not converged).

Every replicate is an independent task with its own seed, ``SeedSequence(seed).spawn(len(n))[i].spawn(reps)[r]``
for sample size i and replicate r, so results do not depend on ``n_jobs`` nor on the backend (joblib's loky
processes, or a Dask cluster through joblib's dask backend).

The **analysis model** defaults to the population model with every fixed value freed, except one loading per
factor that keeps its population value as a fixed value and sets the factor's scale: the first indicator
whose population loading is not 0 (the others are written ``NA*item`` when they come first). So the
analysis model is identified in the population's metric, and the population value of every parameter is the
truth its estimates are compared with (factor variances, residual variances and paths included).

**Two-level designs** (residents nested in communities): with a two-level population model (``level: 1`` /
``level: 2`` blocks, :mod:`resilience_stats.simulate`) the design axis is the number of clusters
(``n_clusters``) at one or more cluster sizes (``cluster_size``); each replicate draws its clusters
(:func:`resilience_stats.simulate` with ``clusters=``) and fits the two-level analysis model with
``rs.sem(..., cluster=...)``. The default analysis model is built per level as above, the scaling loading
fixed at its population value in the data metric; rows carry the ``level`` of each parameter (1 within,
2 between, 0 for ``:=``, as in ``rs.sem`` estimates).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field, replace
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from .errors import EstimationError, ModelSpecificationError
from .simulate import Population, TwoLevelPopulation, cluster_sizes, population, simulate

__all__ = ["PowerResult", "analysis_syntax", "parameter_names", "power"]

_Z975 = 1.959963984540054
FIT_COLUMNS = ("chisq", "df", "pvalue", "cfi", "tli", "rmsea", "srmr", "srmr_within", "srmr_between",
               "chisq_scaled", "pvalue_scaled", "cfi_robust", "tli_robust", "rmsea_robust")
_LEVEL_NAME = {1: "within", 2: "between"}


# --------------------------------------------------------------------------------------------- analysis model


def _fmt(x: float) -> str:
    return f"{x:.10g}"


def analysis_syntax(population_model: str | Population | TwoLevelPopulation, *, standardized: bool = True,
                    icc: float | Mapping[str, float] | None = None) -> str:
    """The default analysis model: the population model with its fixed values freed (see the module docstring).

    Parameters
    ----------
    population_model : str, Population or TwoLevelPopulation
        lavaan syntax with population values (or a population built from it).
    standardized, icc
        Two-level syntax only: the population semantics (:func:`resilience_stats.simulate.population`), which
        give the data-metric value of each level's scaling loading.

    Returns
    -------
    str
        lavaan syntax: labels, ``:=`` definitions and constraints kept, one scaling loading per factor fixed
        at its population value; two-level models keep their ``level: 1`` / ``level: 2`` blocks.

    Examples
    --------
    >>> print(analysis_syntax("F =~ 0.8*x1 + 0.7*x2 + 0.6*x3\\nY ~ b*F\\nY ~~ 0.5*Y\\nind := 2*b"))
    F =~ 0.8*x1 + x2 + x3
    Y ~ b*F
    Y ~~ Y
    ind := 2 * b
    >>> print(analysis_syntax("level: 1\\nFw =~ 0.8*y1 + 0.7*y2\\nlevel: 2\\nFb =~ 0.9*y1 + 0.9*y2\\n"
    ...                       "Fb ~ a*0.4*w", icc=0.2))
    level: 1
      Fw =~ 0.7155417528*y1 + y2
    level: 2
      Fb =~ 0.4024922359*y1 + y2
      Fb ~ a*w
    """
    from .sem.syntax import parse_model

    text = population_model.syntax if isinstance(population_model, (Population, TwoLevelPopulation)) \
        else population_model
    pm = parse_model(text)
    if not any(f.level for f in pm.formulas):
        if icc is not None:
            raise ValueError("icc= belongs to two-level population models (level: 1 / level: 2 blocks)")
        lines = _formula_lines(pm.formulas, lambda f: _single(f.modifier.fixed))
    else:
        pop = population(population_model, standardized, icc=icc)
        v = pop.values[pop.values["op"] == "=~"]
        loading = {(lev, l, r): x for lev, l, r, x in zip(v["level"], v["lhs"], v["rhs"], v["value"])}
        lines = []
        for lev in (1, 2):
            lines.append(f"level: {lev}")
            lines += ["  " + ln for ln in _formula_lines([f for f in pm.formulas if f.level == lev],
                                                         lambda f, lev=lev: loading.get((lev, f.lhs, f.rhs)))]
    lines += [f"{name} := {text}" for name, _tree, text, _line in pm.definitions]
    lines += [text for *_rest, text, _line in pm.constraints]
    return "\n".join(lines)


def _formula_lines(formulas, loading_value) -> list[str]:
    """lavaan lines of ``formulas`` with values freed; the first loading of each factor whose
    ``loading_value(formula)`` is not 0 keeps that value as the factor's scale."""
    first_value = {}
    for f in formulas:
        if f.op == "=~" and f.lhs not in first_value:
            v = loading_value(f)
            if v is not None and v != 0:
                first_value[f.lhs] = (f.rhs, v)
    lines: list[str] = []
    current: tuple[str, str] | None = None
    terms: list[str] = []
    seen_first: set[str] = set()

    def flush():
        if current is not None:
            lines.append(f"{current[0]} {current[1]} " + " + ".join(terms))

    for f in formulas:
        op = "~" if f.op == "~1" else f.op
        label = _single(f.modifier.label)
        rhs = "1" if f.op == "~1" else f.rhs
        prefix = f"{label}*" if label else ""
        if f.op == "=~":
            marker = first_value.get(f.lhs)
            if marker and marker[0] == f.rhs:
                prefix = f"{_fmt(marker[1])}*" + (f"{label}*" if label else "")
            elif f.lhs not in seen_first and marker:
                prefix = "NA*" + prefix  # the default would fix the first loading at 1
            seen_first.add(f.lhs)
        key = (f.lhs, op if f.op != "~1" else "~1")
        if key != current:
            flush()
            current, terms = key, []
        terms.append(prefix + rhs)
    flush()
    return [ln.replace(" ~1 ", " ~ ") for ln in lines]


def _require_values(pop: Population) -> None:
    """Refuse a population model whose loadings and regressions are all 0 (written without values)."""
    v = pop.values
    effects = v[v["op"].isin(["=~", "~"])]
    if len(effects) and not (effects["value"].abs() > 0).any():
        raise ModelSpecificationError(
            "the population model gives no loading or regression a value, so the simulated population has no "
            "effects (all 0); write the population values into the syntax (F =~ 0.8*x1 + 0.7*x2, Y ~ 0.3*F), "
            "e.g. rs.example_population(instrument)['population_model']")


def _single(values):
    if not values:
        return None
    if len(values) != 1:
        raise ValueError("power(): per-group values c(...) are not supported in a population model")
    return values[0]


# --------------------------------------------------------------------------------------------- replicates


@dataclass(frozen=True)
class _Job:
    """Everything a replicate needs (pickled once per batch)."""

    pop: Population | TwoLevelPopulation
    analysis: str
    estimator: str
    sim_kwargs: dict
    fit_kwargs: dict
    cluster: str | None = None  # two-level: the cluster column (design = (n_clusters, cluster_size))


def _fit_values(fit) -> tuple[tuple, np.ndarray]:
    """Keys (lhs, op, rhs, label, level) and (est, se, p) of the free and defined parameters."""
    est = fit.estimates
    keep = (fit.partable["free"].to_numpy() > 0) | (est["op"].to_numpy() == ":=")
    sub = est[keep]
    level = sub["level"].to_numpy(dtype=int) if "level" in sub.columns else np.zeros(len(sub), dtype=int)
    keys = tuple(zip(sub["lhs"], sub["op"], sub["rhs"], sub["label"].fillna(""), level.tolist()))
    vals = np.column_stack([sub["est"].to_numpy(float), sub["se"].to_numpy(float), sub["pvalue"].to_numpy(float)])
    return keys, vals


def _one_replicate(job: _Job, design, seed: np.random.SeedSequence) -> dict:
    from .sem import sem

    rng = np.random.default_rng(seed)
    fit_kwargs = job.fit_kwargs
    if job.cluster is None:
        data = simulate(job.pop, design, rng, **job.sim_kwargs)
    else:
        k, size = design
        data = simulate(job.pop, None, rng, clusters={"k": k, "size": size, "name": job.cluster},
                        **job.sim_kwargs)
        fit_kwargs = {**fit_kwargs, "cluster": job.cluster}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = sem(job.analysis, data, estimator=job.estimator, **fit_kwargs)
        converged = bool(fit.converged)
    except Exception as exc:  # an estimation failure is a non-converged replicate
        return {"converged": False, "error": f"{type(exc).__name__}: {exc}"}
    if not converged:
        return {"converged": False, "error": "not converged"}
    keys, vals = _fit_values(fit)
    fi = fit.fit_indices
    return {"converged": True, "keys": keys, "values": vals,
            "fit": {k: float(fi[k]) for k in FIT_COLUMNS if k in fi.index}}


def _run_batch(job: _Job, batch: list[tuple[int, int, Any, np.random.SeedSequence]]) -> list[tuple]:
    return [(i, r, _one_replicate(job, n, ss)) for i, r, n, ss in batch]


def _batches(tasks: list, size: int) -> list[list]:
    return [tasks[k:k + size] for k in range(0, len(tasks), size)]


def _run(job: _Job, tasks: list, n_jobs: int, backend: str, client, progress=None) -> list:
    import joblib

    workers = joblib.cpu_count() if n_jobs in (None, -1) else max(1, int(n_jobs))
    if backend == "dask":
        if client is None:
            try:
                from distributed import get_client
            except ImportError as exc:  # pragma: no cover - the dask extra is optional
                raise ImportError("backend='dask' needs the 'distributed' package (pip install "
                                  "'resilience_stats[dask]')") from exc
            try:
                client = get_client()
            except ValueError as exc:
                raise ValueError("backend='dask' needs a running distributed.Client: create one "
                                 "(Client(LocalCluster(...)) or Client('scheduler-address')) or pass client=")\
                    from exc
        workers = max(1, len(client.scheduler_info().get("workers", {})))
    # small batches when progress is shown, so that the bar and its time estimate move steadily
    size = max(1, min(25 if progress is None else 5, math.ceil(len(tasks) / (4 * workers))))
    batches = _batches(tasks, size)
    calls = (joblib.delayed(_run_batch)(job, b) for b in batches)
    if backend == "dask":
        with joblib.parallel_backend("dask", client=client):
            out = joblib.Parallel(n_jobs=-1)(calls)
    elif backend in ("loky", "threading", "sequential"):
        jobs = 1 if backend == "sequential" else n_jobs
        parallel = joblib.Parallel(n_jobs=jobs, backend=backend, return_as="generator_unordered")
        out, done = [], 0
        for batch in parallel(calls):
            out.append(batch)
            done += len(batch)
            if progress is not None:
                progress(done, len(tasks))
    else:
        raise ValueError(f"backend must be 'loky' or 'dask' (or 'threading'/'sequential'), not {backend!r}")
    return [item for b in out for item in b]


# --------------------------------------------------------------------------------------------- aggregation


def _truth(keys: Sequence[tuple], values: pd.DataFrame, analysis: str) -> np.ndarray:
    """Population value of each analysis parameter: matched by level, lhs, op, rhs (both orders for ~~);
    ``:=`` by evaluating the analysis model's definition at the population values of its labels."""
    from .sem.syntax import eval_expression, parse_model

    levels = values["level"] if "level" in values.columns else [0] * len(values)
    lookup = {}
    for lev, l, o, r, v in zip(levels, values["lhs"], values["op"], values["rhs"], values["value"]):
        lookup[(lev, l, o, r)] = v
        if o == "~~":
            lookup[(lev, r, o, l)] = v
    ns = {lab: lookup.get((lev, l, o, r), np.nan) for l, o, r, lab, lev in keys if lab and o != ":="}
    defs = {name: tree for name, tree, _t, _l in parse_model(analysis).definitions}
    for name, tree in defs.items():
        try:
            ns[name] = eval_expression(tree, ns)
        except Exception:
            ns[name] = np.nan
    return np.array([ns.get(l, np.nan) if o == ":=" else lookup.get((lev, l, o, r), np.nan)
                     for l, o, r, _, lev in keys], dtype=float)


def _summarize(results: list, designs: Sequence[dict], reps: int, truth_values: pd.DataFrame, analysis: str,
               alpha: float, two_level: bool = False) -> tuple[pd.DataFrame, pd.DataFrame]:
    keys = next((res["keys"] for _i, _r, res in results if res["converged"]), None)
    if keys is None:
        reasons = pd.Series([res.get("error", "not converged") for _i, _r, res in results]).value_counts()
        listed = "; ".join(f"{reason} ({count}x)" for reason, count in reasons.head(3).items())
        raise EstimationError(f"none of the {len(results)} replicates converged, so no power can be estimated "
                              f"({listed}); check that the population model has values and that the analysis "
                              "model is identified, or try larger sample sizes")
    truth = _truth(keys, truth_values, analysis)
    rows, fits = [], []
    for i, design in enumerate(designs):
        ok = [res for j, _r, res in results if j == i and res["converged"] and res["keys"] == keys]
        share = len(ok) / reps
        if ok:
            V = np.stack([res["values"] for res in ok])  # reps x params x (est, se, p)
            est, se, p = V[..., 0], V[..., 1], V[..., 2]
            with np.errstate(invalid="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns (e.g. no SE) give NaN
                mean_est = np.nanmean(est, axis=0)
                sd_est = np.nanstd(est, axis=0, ddof=1) if len(ok) > 1 else np.full(len(keys), np.nan)
                mean_se = np.nanmean(se, axis=0)
                pw = np.nanmean(np.where(np.isnan(p), np.nan, p < alpha), axis=0)
                cover = np.nanmean(np.where(np.isnan(se), np.nan, np.abs(est - truth) <= _Z975 * se), axis=0)
        else:
            mean_est = sd_est = mean_se = pw = cover = np.full(len(keys), np.nan)
        for k, (l, o, r, lab, lev) in enumerate(keys):
            rows.append(dict(**design, lhs=l, op=o, rhs=r, **({"level": lev} if two_level else {}), label=lab,
                             pop_value=truth[k], mean_est=mean_est[k], bias=mean_est[k] - truth[k],
                             sd_est=sd_est[k], mean_se=mean_se[k], power=pw[k], coverage=cover[k],
                             converged_share=share))
        fit = pd.DataFrame([res["fit"] for res in ok])
        row = {**design, "converged_share": share, "reps": reps}
        if len(fit):
            row.update(fit.mean().to_dict())
            if "pvalue" in fit:
                row["chisq_reject"] = float((fit["pvalue"] < alpha).mean())
        fits.append(row)
    return pd.DataFrame(rows), pd.DataFrame(fits)


def parameter_names(table: pd.DataFrame) -> list[str]:
    """One name per row of a power table: the label, else "lhs op rhs"; in two-level tables an unlabelled
    parameter gets its level, "y1 ~~ y1 (between)".

    Examples
    --------
    >>> t = pd.DataFrame({"lhs": ["F", "y1", "y1"], "op": ["~", "~~", "~~"], "rhs": ["x", "y1", "y1"],
    ...                   "label": ["a", "", ""], "level": [2, 1, 2]})
    >>> parameter_names(t)
    ['a', 'y1 ~~ y1 (within)', 'y1 ~~ y1 (between)']
    """
    labels = table["label"] if "label" in table.columns else [""] * len(table)
    levels = table["level"] if "level" in table.columns else [0] * len(table)
    out = []
    for l, o, r, lab, lev in zip(table["lhs"], table["op"], table["rhs"], labels, levels):
        if isinstance(lab, str) and lab:
            out.append(lab)
        else:
            out.append(f"{l} {o} {r}".strip() + (f" ({_LEVEL_NAME[lev]})" if lev in _LEVEL_NAME else ""))
    return out


def _design_table(n_clusters, cluster_size) -> tuple[list[tuple], list[dict]]:
    """Two-level designs (n_clusters, size) for every cluster size x number of clusters, and their columns."""
    if n_clusters is None or cluster_size is None:
        raise ValueError("a two-level population model needs the design: n_clusters= (clusters per replicate, "
                         "e.g. [20, 40, 60]) and cluster_size= (respondents per cluster: 15, or a range (10, 30))")
    ks = [x for x in np.atleast_1d(np.asarray(n_clusters, dtype=object))]
    sizes = list(cluster_size) if isinstance(cluster_size, (list, np.ndarray)) else [cluster_size]
    if not ks or not sizes:
        raise ValueError("n_clusters and cluster_size must not be empty")
    designs, columns = [], []
    ranged = any(isinstance(z, tuple) for z in sizes)
    for size in sizes:
        for k in ks:
            cluster_sizes({"k": k, "size": size}, seed=0)  # the simulator's checks (k >= 2, sizes >= 1, ...)
            k = int(k)
            size = tuple(int(x) for x in size) if isinstance(size, tuple) else int(size)
            mean = (size[0] + size[1]) / 2 if isinstance(size, tuple) else size
            label = f"{size[0]}-{size[1]}" if isinstance(size, tuple) else (str(size) if ranged else size)
            designs.append((k, size))
            columns.append({"n_clusters": k, "cluster_size": label, "n": int(round(k * mean))})
    return designs, columns


# --------------------------------------------------------------------------------------------- public API


@dataclass
class PowerResult:
    """Result of :func:`power`.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per sample size and parameter: n, lhs, op, rhs, label, pop_value, mean_est, bias, sd_est,
        mean_se, power, coverage, converged_share. Two-level designs: n_clusters, cluster_size (an int, or
        "lo-hi" for a size range), n (expected number of respondents), lhs, op, rhs, level (1 within,
        2 between, 0 for ``:=``), label, ...
    fit : pandas.DataFrame
        Per sample size (two-level: per design): n, converged_share, reps, the mean fit indices (chisq, df,
        pvalue, cfi, tli, rmsea, srmr; srmr_within and srmr_between for two-level fits; scaled/robust ones with
        MLR) and ``chisq_reject`` (share of replicates whose chi-square test rejects at alpha).
    population_model, analysis_model : str
    settings : dict
        reps, seed, alpha, estimator, backend, n_jobs and the simulation options.
    errors : pandas.Series
        Counts of the reasons replicates failed (empty when all converged).
    """

    table: pd.DataFrame
    fit: pd.DataFrame
    population_model: str
    analysis_model: str
    settings: dict = field(default_factory=dict)
    errors: pd.Series = field(default_factory=lambda: pd.Series(dtype=int))

    @property
    def two_level(self) -> bool:
        """True for a two-level design (rows per number of clusters and cluster size)."""
        return "n_clusters" in self.table.columns

    def plot(self, params: Sequence[str] | None = None, **kwargs: Any):
        """Power curves (:func:`resilience_stats.plots.power_curves`); matplotlib is imported only here.

        Examples
        --------
        >>> fig = result.plot(["a", "b"], metrics=("power", "coverage"))  # doctest: +SKIP
        """
        from .plots import power_curves

        return power_curves(self.table, params, **kwargs)

    def smallest_n(self, target: float = 0.80) -> pd.Series:
        """Per parameter (:func:`parameter_names`), the smallest simulated n whose power reaches ``target``
        (NaN when none does). Two-level designs: the smallest number of clusters (index: parameter, or
        (cluster_size, parameter) when several cluster sizes were simulated)."""
        axis = "n_clusters" if self.two_level else "n"
        t = self.table.assign(param=parameter_names(self.table))
        by = ["cluster_size", "param"] if self.two_level and t["cluster_size"].nunique() > 1 else ["param"]
        out = {}
        for key, sub in t.groupby(by, sort=False):
            hit = sub.loc[sub["power"] >= target, axis]
            out[key if len(by) > 1 else key[0]] = float(hit.min()) if len(hit) else float("nan")
        res = pd.Series(out, name=f"{axis}_power_{target:g}", dtype=float)
        if len(by) > 1:
            res.index = pd.MultiIndex.from_tuples(list(out), names=by)
        return res

    def __repr__(self) -> str:
        if self.two_level:
            design = "; ".join(f"{k} clusters x {m}" for k, m in zip(self.fit["n_clusters"], self.fit["cluster_size"]))
            return (f"<PowerResult: {self.settings.get('reps')} replicates x ({design}); "
                    f"{self.table['lhs'].size // max(1, len(self.fit))} parameters>")
        ns = ", ".join(str(n) for n in self.fit["n"])
        return (f"<PowerResult: {self.settings.get('reps')} replicates x n = {ns}; "
                f"{self.table['lhs'].size // max(1, len(self.fit))} parameters>")

    def to_table(self, kind: str | None = None, *, lang: str = "en", style: str = "apa", number: int | None = None,
                 title=None, instrument=None, cluster_size=None, **options):
        """Power (and bias, coverage) by sample size per parameter as a publication table.

        ``kind``, ``lang``, ``style``, ``number``, ``title``, ``instrument`` and ``**options`` as in
        :func:`resilience_stats.tables.from_result`; returns a :class:`~resilience_stats.tables.PubTable`.
        Two-level designs: one cluster size per table (``cluster_size=``, required when several were
        simulated); the *n* column then holds the number of clusters (named in the title) and parameters are
        named with their level.
        """
        from .tables.adapters import from_result  # presentation is imported only when asked for

        result = self
        if self.two_level:
            sizes = list(dict.fromkeys(self.table["cluster_size"]))
            if cluster_size is None and len(sizes) > 1:
                raise ValueError(f"the power table shows one cluster size at a time: pass cluster_size= (one of "
                                 f"{', '.join(map(str, sizes))})")
            size = sizes[0] if cluster_size is None else cluster_size
            if size not in sizes:
                raise ValueError(f"cluster_size={size!r} was not simulated (simulated: {', '.join(map(str, sizes))})")
            t = self.table[self.table["cluster_size"] == size]
            t = t.assign(label=parameter_names(t), n=t["n_clusters"])
            result = replace(self, table=t.reset_index(drop=True))
            if title is None:
                title = {"en": f"Simulated Power by Number of Clusters (n; {size} Respondents per Cluster)",
                         "zh": f"不同群组数（n）下的模拟统计功效（每群组 {size} 人）"}
        elif cluster_size is not None:
            raise ValueError("cluster_size= applies to two-level power results only")
        return from_result(result, kind, lang=lang, style=style, number=number, title=title, instrument=instrument,
                           **options)


def power(
    population_model: str | Population | TwoLevelPopulation,
    analysis_model: str | None = None,
    n: int | Sequence[int] | None = None,
    reps: int = 500,
    seed: int = 0,
    n_jobs: int = -1,
    backend: str = "loky",
    alpha: float = 0.05,
    estimator: str = "ML",
    *,
    n_clusters: int | Sequence[int] | None = None,
    cluster_size: int | tuple[int, int] | Sequence[int | tuple[int, int]] | None = None,
    icc: float | Mapping[str, float] | None = None,
    cluster: str | None = None,
    data_options: Mapping[str, Any] | None = None,
    standardized: bool = True,
    client=None,
    progress=None,
    **fit_kwargs: Any,
) -> PowerResult:
    """Monte Carlo power, bias and CI coverage of every parameter, per sample size (or per number of clusters).

    Parameters
    ----------
    population_model : str, Population or TwoLevelPopulation
        lavaan syntax whose fixed values are the population values (see :func:`resilience_stats.simulate`).
        With ``level: 1`` / ``level: 2`` blocks a two-level population (residents in communities): give
        ``n_clusters`` and ``cluster_size`` instead of ``n``.
    analysis_model : str, optional
        lavaan syntax fitted to each replicate; default :func:`analysis_syntax` of the population model
        (fixed values freed, one scaling loading per factor kept at its population value). A user model
        should share the population's metric (e.g. fix the same marker loadings) for bias and coverage to
        be meaningful; parameters are matched by lhs, op, rhs (and level) and ``:=`` by label.
    n : int or list of int, default (200, 400, 800)
        Sample sizes (single-level models).
    reps : int, default 500
        Replicates per sample size.
    seed : int, default 0
        Root of the per-replicate seeds; results are identical for any ``n_jobs`` and backend.
    n_jobs : int, default -1
        Parallel workers for ``backend="loky"`` (-1: all cores; 1: in this process).
    backend : {"loky", "dask"}
        ``"dask"`` sends the replicates to a Dask cluster through joblib's dask backend: pass ``client=`` (a
        ``distributed.Client``) or create one beforehand (the current client is used).
    alpha : float, default 0.05
        Significance level of the power (and of ``chisq_reject``).
    estimator : {"ML", "MLR"}
    n_clusters : int or list of int, optional
        Two-level models: the numbers of clusters (communities) to simulate, e.g. ``[20, 40, 60]``.
    cluster_size : int, tuple or list, optional
        Two-level models: respondents per cluster -- an int (every cluster), a tuple ``(lo, hi)`` (each
        cluster's size drawn uniformly from lo..hi in every replicate), or a list of these (every number of
        clusters is simulated at each).
    icc : float or dict, optional
        Two-level standardized models: the ICC of the variables measured at both levels (see
        :func:`resilience_stats.simulate.population`).
    cluster : str, optional
        Two-level models: the name of the cluster column (default ``"cluster"``), passed to ``rs.sem(...,
        cluster=)``. Single-level models: passed to :func:`resilience_stats.sem` (cluster-robust standard
        errors on a cluster column made by ``data_options={"clusters": ...}``).
    data_options : dict, optional
        Passed to :func:`~resilience_stats.simulate`: ``ordinal``, ``missing``, ``clusters``, ``groups``
        (two-level models: ``ordinal`` and ``missing`` only; the design comes from ``n_clusters`` and
        ``cluster_size``). (With missing data pass ``missing="fiml"`` as a fit option to use FIML instead of
        listwise deletion.)
    standardized : bool, default True
        Population semantics of :func:`~resilience_stats.simulate`.
    client : distributed.Client, optional
        The Dask client for ``backend="dask"``.
    progress : callable, optional
        Called as ``progress(done, total)`` whenever a batch of replicates has finished (not with
        ``backend="dask"``); the command line draws its progress bar and time estimate from it.
    **fit_kwargs
        Passed to :func:`resilience_stats.sem` (``missing``, ``se``, ``information`` ...).

    Notes
    -----
    Bias and coverage compare estimates with the population values of the continuous model. With
    ``data_options={"ordinal": ...}`` the analysed Likert codes have another metric, so read only power (and
    convergence) from such runs, or compare standardized effects yourself. In two-level designs the
    population values are in the data metric (:func:`resilience_stats.simulate.population_values`), and the
    power of between-level parameters grows mainly with the number of clusters.

    Returns
    -------
    PowerResult
        ``.table`` (per n and parameter), ``.fit`` (mean fit indices per n), ``.plot()``, ``.smallest_n()``.

    Raises
    ------
    ModelSpecificationError
        The population model gives no loading or regression a value (the population would be all zeros).
    EstimationError
        No replicate converged (the message lists the most frequent reasons).
    ValueError
        Bad designs: ``n`` with a two-level model, a two-level model without ``n_clusters``/``cluster_size``,
        fewer than 2 clusters, a cluster size below 1, ``n_clusters`` with a single-level model.

    Examples
    --------
    >>> pop = '''
    ... X =~ 0.8*x1 + 0.7*x2 + 0.7*x3
    ... M =~ 0.8*m1 + 0.7*m2 + 0.7*m3
    ... M ~ a*0.3*X
    ... '''
    >>> res = power(pop, n=[100, 200], reps=50, n_jobs=1)
    >>> res.table.query("label == 'a'")[["n", "pop_value"]].values.tolist()
    [[100.0, 0.3], [200.0, 0.3]]

    A community survey: does the community-level predictor ``pbl`` reach the between-community factor?

    >>> two = '''
    ... level: 1
    ...   Fw =~ 0.8*y1 + 0.7*y2 + 0.7*y3
    ... level: 2
    ...   Fb =~ 0.9*y1 + 0.9*y2 + 0.9*y3
    ...   Fb ~ a*0.5*pbl
    ... '''
    >>> res = power(two, n_clusters=[20, 50], cluster_size=10, icc=0.2, reps=8, n_jobs=1, cluster="community")
    >>> a = res.table.query("label == 'a'")
    >>> a[["n_clusters", "cluster_size", "n", "level"]].values.tolist()
    [[20, 10, 200, 2], [50, 10, 500, 2]]
    >>> a["pop_value"].tolist(), bool(a["power"].iloc[1] >= a["power"].iloc[0])
    ([0.5, 0.5], True)
    """
    reps = int(reps)
    if reps < 1:
        raise ValueError("reps must be at least 1")
    if not 0 < alpha < 1:
        raise ValueError("alpha must be in (0, 1)")
    if backend not in ("loky", "dask", "threading", "sequential"):
        raise ValueError(f"backend must be 'loky' or 'dask', not {backend!r}")
    sim_kwargs = dict(data_options or {})
    unknown = set(sim_kwargs) - {"ordinal", "missing", "clusters", "groups"}
    if unknown:
        raise ValueError(f"data_options: unknown key(s) {', '.join(sorted(unknown))}")
    pop = population(population_model, standardized, icc=icc)
    two_level = isinstance(pop, TwoLevelPopulation)
    fit_kwargs = dict(fit_kwargs)
    if two_level:
        if n is not None:
            raise ValueError("for a two-level population the sample size is set by n_clusters= (clusters per "
                             "replicate) and cluster_size= (respondents per cluster); leave n out")
        refused = sorted(set(sim_kwargs) & {"clusters", "groups"})
        if refused:
            raise ValueError(f"data_options: {', '.join(refused)} not available for a two-level population "
                             "(the design comes from n_clusters and cluster_size)")
        designs, columns = _design_table(n_clusters, cluster_size)
        cluster = "cluster" if cluster is None else str(cluster)
    else:
        if n_clusters is not None or cluster_size is not None:
            raise ValueError("n_clusters and cluster_size need a two-level population model (level: 1 / level: 2 "
                             "blocks); a single-level model takes n (total sample size) and "
                             "data_options={'clusters': {...}} for clustered data")
        designs = [int(x) for x in np.atleast_1d(np.asarray((200, 400, 800) if n is None else n))]
        if not designs or min(designs) < 2:
            raise ValueError("n must hold sample sizes of at least 2")
        columns = [{"n": nn} for nn in designs]
        if cluster is not None:
            fit_kwargs["cluster"] = cluster
    _require_values(pop)
    analysis = analysis_model if analysis_model is not None else analysis_syntax(pop)
    job = _Job(pop, analysis, str(estimator).upper(), sim_kwargs, fit_kwargs, cluster if two_level else None)
    root = np.random.SeedSequence(seed)
    tasks = [(i, r, design, ss) for i, (design, child) in enumerate(zip(designs, root.spawn(len(designs))))
             for r, ss in enumerate(child.spawn(reps))]
    results = _run(job, tasks, n_jobs, backend, client, progress)
    results.sort(key=lambda t: (t[0], t[1]))
    table, fit = _summarize(results, columns, reps, pop.values, analysis, alpha, two_level)
    errors = pd.Series([res["error"] for _i, _r, res in results if not res["converged"]], dtype=object)
    settings = dict(reps=reps, seed=seed, alpha=alpha, estimator=job.estimator, backend=backend, n_jobs=n_jobs,
                    standardized=standardized, data_options=sim_kwargs, fit_options=fit_kwargs)
    if two_level:
        settings.update(n_clusters=[d[0] for d in designs], cluster_size=cluster_size, icc=icc, cluster=cluster)
    return PowerResult(table, fit, pop.syntax, analysis, settings,
                       errors.value_counts() if len(errors) else pd.Series(dtype=int))
