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
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from .simulate import Population, population, simulate

__all__ = ["PowerResult", "analysis_syntax", "power"]

_Z975 = 1.959963984540054
FIT_COLUMNS = ("chisq", "df", "pvalue", "cfi", "tli", "rmsea", "srmr", "chisq_scaled", "pvalue_scaled",
               "cfi_robust", "tli_robust", "rmsea_robust")


# --------------------------------------------------------------------------------------------- analysis model


def _fmt(x: float) -> str:
    return f"{x:.10g}"


def analysis_syntax(population_model: str) -> str:
    """The default analysis model: the population model with its fixed values freed (see the module docstring).

    Parameters
    ----------
    population_model : str
        lavaan syntax with population values.

    Returns
    -------
    str
        lavaan syntax: labels, ``:=`` definitions and constraints kept, one scaling loading per factor fixed
        at its population value.

    Examples
    --------
    >>> print(analysis_syntax("F =~ 0.8*x1 + 0.7*x2 + 0.6*x3\\nY ~ b*F\\nY ~~ 0.5*Y\\nind := 2*b"))
    F =~ 0.8*x1 + x2 + x3
    Y ~ b*F
    Y ~~ Y
    ind := 2 * b
    """
    from .sem.syntax import parse_model

    pm = parse_model(population_model)
    first_value = {}
    for f in pm.formulas:
        if f.op == "=~" and f.lhs not in first_value:
            v = _single(f.modifier.fixed)
            if v is not None and v != 0:
                first_value[f.lhs] = (f.rhs, v)
    lines: list[str] = []
    current: tuple[str, str] | None = None
    terms: list[str] = []
    seen_first: set[str] = set()

    def flush():
        if current is not None:
            lines.append(f"{current[0]} {current[1]} " + " + ".join(terms))

    for f in pm.formulas:
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
    lines = [ln.replace(" ~1 ", " ~ ") for ln in lines]
    lines += [f"{name} := {text}" for name, _tree, text, _line in pm.definitions]
    lines += [text for *_rest, text, _line in pm.constraints]
    return "\n".join(lines)


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

    pop: Population
    analysis: str
    estimator: str
    sim_kwargs: dict
    fit_kwargs: dict


def _fit_values(fit) -> tuple[tuple, np.ndarray]:
    est = fit.estimates
    keep = (fit.partable["free"].to_numpy() > 0) | (est["op"].to_numpy() == ":=")
    sub = est[keep]
    keys = tuple(zip(sub["lhs"], sub["op"], sub["rhs"], sub["label"].fillna("")))
    vals = np.column_stack([sub["est"].to_numpy(float), sub["se"].to_numpy(float), sub["pvalue"].to_numpy(float)])
    return keys, vals


def _one_replicate(job: _Job, n: int, seed: np.random.SeedSequence) -> dict:
    from .sem import sem

    data = simulate(job.pop, n, np.random.default_rng(seed), **job.sim_kwargs)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = sem(job.analysis, data, estimator=job.estimator, **job.fit_kwargs)
        converged = bool(fit.converged)
    except Exception as exc:  # an estimation failure is a non-converged replicate
        return {"converged": False, "error": f"{type(exc).__name__}: {exc}"}
    if not converged:
        return {"converged": False, "error": "not converged"}
    keys, vals = _fit_values(fit)
    fi = fit.fit_indices
    return {"converged": True, "keys": keys, "values": vals,
            "fit": {k: float(fi[k]) for k in FIT_COLUMNS if k in fi.index}}


def _run_batch(job: _Job, batch: list[tuple[int, int, int, np.random.SeedSequence]]) -> list[tuple]:
    return [(i, r, _one_replicate(job, n, ss)) for i, r, n, ss in batch]


def _batches(tasks: list, size: int) -> list[list]:
    return [tasks[k:k + size] for k in range(0, len(tasks), size)]


def _run(job: _Job, tasks: list, n_jobs: int, backend: str, client) -> list:
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
    size = max(1, min(25, math.ceil(len(tasks) / (4 * workers))))
    batches = _batches(tasks, size)
    calls = (joblib.delayed(_run_batch)(job, b) for b in batches)
    if backend == "dask":
        with joblib.parallel_backend("dask", client=client):
            out = joblib.Parallel(n_jobs=-1)(calls)
    elif backend == "loky":
        out = joblib.Parallel(n_jobs=n_jobs, backend="loky")(calls)
    elif backend in ("threading", "sequential"):
        out = joblib.Parallel(n_jobs=n_jobs if backend == "threading" else 1, backend=backend)(calls)
    else:
        raise ValueError(f"backend must be 'loky' or 'dask' (or 'threading'/'sequential'), not {backend!r}")
    return [item for b in out for item in b]


# --------------------------------------------------------------------------------------------- aggregation


def _truth(keys: Sequence[tuple], values: pd.DataFrame, analysis: str) -> np.ndarray:
    """Population value of each analysis parameter: matched by lhs/op/rhs (both orders for ~~); ``:=`` by
    evaluating the analysis model's definition at the population values of its labels."""
    from .sem.syntax import eval_expression, parse_model

    lookup = {}
    for l, o, r, v in zip(values["lhs"], values["op"], values["rhs"], values["value"]):
        lookup[(l, o, r)] = v
        if o == "~~":
            lookup[(r, o, l)] = v
    ns = {lab: lookup.get((l, o, r), np.nan) for l, o, r, lab in keys if lab and o != ":="}
    defs = {name: tree for name, tree, _t, _l in parse_model(analysis).definitions}
    for name, tree in defs.items():
        try:
            ns[name] = eval_expression(tree, ns)
        except Exception:
            ns[name] = np.nan
    return np.array([ns.get(l, np.nan) if o == ":=" else lookup.get((l, o, r), np.nan) for l, o, r, _ in keys],
                    dtype=float)


def _summarize(results: list, ns: Sequence[int], reps: int, truth_values: pd.DataFrame, analysis: str,
               alpha: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    keys = next((res["keys"] for _i, _r, res in results if res["converged"]), None)
    if keys is None:
        raise RuntimeError("no replicate converged; check the population and analysis models")
    truth = _truth(keys, truth_values, analysis)
    rows, fits = [], []
    for i, n in enumerate(ns):
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
        for k, (l, o, r, lab) in enumerate(keys):
            rows.append(dict(n=int(n), lhs=l, op=o, rhs=r, label=lab, pop_value=truth[k], mean_est=mean_est[k],
                             bias=mean_est[k] - truth[k], sd_est=sd_est[k], mean_se=mean_se[k], power=pw[k],
                             coverage=cover[k], converged_share=share))
        fit = pd.DataFrame([res["fit"] for res in ok])
        row = {"n": int(n), "converged_share": share, "reps": reps}
        if len(fit):
            row.update(fit.mean().to_dict())
            if "pvalue" in fit:
                row["chisq_reject"] = float((fit["pvalue"] < alpha).mean())
        fits.append(row)
    return pd.DataFrame(rows), pd.DataFrame(fits)


# --------------------------------------------------------------------------------------------- public API


@dataclass
class PowerResult:
    """Result of :func:`power`.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per sample size and parameter: n, lhs, op, rhs, label, pop_value, mean_est, bias, sd_est,
        mean_se, power, coverage, converged_share.
    fit : pandas.DataFrame
        Per sample size: n, converged_share, reps, the mean fit indices (chisq, df, pvalue, cfi, tli, rmsea,
        srmr; scaled/robust ones with MLR) and ``chisq_reject`` (share of replicates whose chi-square test
        rejects at alpha).
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

    def plot(self, params: Sequence[str] | None = None, **kwargs: Any):
        """Power curves (:func:`resilience_stats.plots.power_curves`); matplotlib is imported only here.

        Examples
        --------
        >>> fig = result.plot(["a", "b"], metrics=("power", "coverage"))  # doctest: +SKIP
        """
        from .plots import power_curves

        return power_curves(self.table, params, **kwargs)

    def smallest_n(self, target: float = 0.80) -> pd.Series:
        """Per parameter (label, or "lhs op rhs"), the smallest simulated n whose power reaches ``target``
        (NaN when none does)."""
        t = self.table.assign(param=[lab or f"{l} {o} {r}" for l, o, r, lab in
                                     zip(self.table["lhs"], self.table["op"], self.table["rhs"],
                                         self.table["label"])])
        out = {}
        for p, sub in t.groupby("param", sort=False):
            hit = sub.loc[sub["power"] >= target, "n"]
            out[p] = float(hit.min()) if len(hit) else float("nan")
        return pd.Series(out, name=f"n_power_{target:g}")

    def __repr__(self) -> str:
        ns = ", ".join(str(n) for n in self.fit["n"])
        return (f"<PowerResult: {self.settings.get('reps')} replicates x n = {ns}; "
                f"{self.table['lhs'].size // max(1, len(self.fit))} parameters>")

    def to_table(self, kind: str | None = None, *, lang: str = "en", style: str = "apa", number: int | None = None,
                 title=None, instrument=None, **options):
        """Power (and bias, coverage) by sample size per parameter as a publication table.

        ``kind``, ``lang``, ``style``, ``number``, ``title``, ``instrument`` and ``**options`` as in
        :func:`resilience_stats.tables.from_result`; returns a :class:`~resilience_stats.tables.PubTable`.
        """
        from .tables.adapters import from_result  # presentation is imported only when asked for

        return from_result(self, kind, lang=lang, style=style, number=number, title=title, instrument=instrument,
                           **options)


def power(
    population_model: str,
    analysis_model: str | None = None,
    n: int | Sequence[int] = (200, 400, 800),
    reps: int = 500,
    seed: int = 0,
    n_jobs: int = -1,
    backend: str = "loky",
    alpha: float = 0.05,
    estimator: str = "ML",
    *,
    data_options: Mapping[str, Any] | None = None,
    standardized: bool = True,
    client=None,
    **fit_kwargs: Any,
) -> PowerResult:
    """Monte Carlo power, bias and CI coverage of every parameter, per sample size.

    Parameters
    ----------
    population_model : str
        lavaan syntax whose fixed values are the population values (see :func:`resilience_stats.simulate`).
    analysis_model : str, optional
        lavaan syntax fitted to each replicate; default :func:`analysis_syntax` of the population model
        (fixed values freed, one scaling loading per factor kept at its population value). A user model
        should share the population's metric (e.g. fix the same marker loadings) for bias and coverage to
        be meaningful; parameters are matched by lhs, op, rhs and ``:=`` by label.
    n : int or list of int, default (200, 400, 800)
        Sample sizes.
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
    data_options : dict, optional
        Passed to :func:`~resilience_stats.simulate`: ``ordinal``, ``missing``, ``clusters``, ``groups``.
        (With missing data pass ``missing="fiml"`` as a fit option to use FIML instead of listwise deletion.)
    standardized : bool, default True
        Population semantics of :func:`~resilience_stats.simulate`.
    client : distributed.Client, optional
        The Dask client for ``backend="dask"``.

    Notes
    -----
    Bias and coverage compare estimates with the population values of the continuous model. With
    ``data_options={"ordinal": ...}`` the analysed Likert codes have another metric, so read only power (and
    convergence) from such runs, or compare standardized effects yourself.
    **fit_kwargs
        Passed to :func:`resilience_stats.sem` (``missing``, ``se``, ``information`` ...).

    Returns
    -------
    PowerResult
        ``.table`` (per n and parameter), ``.fit`` (mean fit indices per n), ``.plot()``, ``.smallest_n()``.

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
    """
    ns = [int(x) for x in np.atleast_1d(np.asarray(n))]
    if not ns or min(ns) < 2:
        raise ValueError("n must hold sample sizes of at least 2")
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
    pop = population(population_model, standardized)
    analysis = analysis_model if analysis_model is not None else analysis_syntax(population_model)
    job = _Job(pop, analysis, str(estimator).upper(), sim_kwargs, dict(fit_kwargs))
    root = np.random.SeedSequence(seed)
    tasks = [(i, r, nn, ss) for i, (nn, child) in enumerate(zip(ns, root.spawn(len(ns))))
             for r, ss in enumerate(child.spawn(reps))]
    results = _run(job, tasks, n_jobs, backend, client)
    results.sort(key=lambda t: (t[0], t[1]))
    table, fit = _summarize(results, ns, reps, pop.values, analysis, alpha)
    errors = pd.Series([res["error"] for _i, _r, res in results if not res["converged"]], dtype=object)
    settings = dict(reps=reps, seed=seed, alpha=alpha, estimator=job.estimator, backend=backend, n_jobs=n_jobs,
                    standardized=standardized, data_options=sim_kwargs, fit_options=dict(fit_kwargs))
    return PowerResult(table, fit, str(population_model), analysis, settings,
                       errors.value_counts() if len(errors) else pd.Series(dtype=int))
