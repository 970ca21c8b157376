"""Nonparametric (case-resampling) bootstrap of a fitted SEM, as lavaan's ``se = "bootstrap"``.

Each replicate resamples the rows of the data used in the fit (within each group; incomplete rows too with
FIML; whole clusters for a ``cluster=`` fit, so that the bootstrap respects the dependence of residents of one
community), and refits through the estimation pipeline's own steps -- the sample statistics of the resample
(:func:`~resilience_stats.sem.pipeline.replicate_statistics`), the fit's estimator
(:func:`~resilience_stats.sem.pipeline.make_objective`) and a quasi-Newton warm start from the full-sample
estimates (:func:`~resilience_stats.sem.estimate.quasi_newton`) -- with the parameter table and model matrices
built once. Every estimator is supported: ML/MLR/MLM with complete or incomplete (FIML) data, the
least-squares estimators, and ordered indicators (WLSMV/ULSMV: thresholds, polychorics and Gamma of each
resample; a resample with an empty response category fails and is counted). Standard errors, test statistics
and fit indices are not computed inside replicates. For ML the moments of a replicate come from the case counts
``np.bincount(idx)``: a weighted mean and covariance (one matrix product); with FIML the per-pattern moments
are weighted the same way.

Replicates run in fixed-size chunks; chunk ``k`` draws its cases from ``np.random.SeedSequence(seed).spawn``
child ``k``, so the draws (and every number derived from them) are identical for any ``n_jobs``.

Confidence intervals (``ci``):

* ``"percentile"``: quantiles of the draws, interpolated on the normal scale between order statistics (the
  boot package's ``norm.inter``, used by lavaan's ``boot.ci.type = "perc"``);
* ``"bca_simple"``: bias-corrected percentile interval without acceleration (lavaan's ``"bca.simple"``);
* ``"bca"``: bias-corrected and accelerated (Efron 1987); the acceleration comes from the jackknife
  (delete-one refits for N <= ``JACKKNIFE_MAX``, otherwise a delete-a-group jackknife over ``JACKKNIFE_MAX``
  random groups of cases);
* ``"normal"``: ``est - bias -/+ z * se`` (lavaan's ``"norm"``).
"""

from __future__ import annotations

import copy
import sys
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats as sps

from ..errors import DataError, EstimationError, ModelSpecificationError
from .._blas import one_blas_thread
from .standardize import StandardizePlan, standardize

__all__ = ["BootstrapResult", "bootstrap", "norm_inter", "bootstrap_ci"]

CHUNK = 25  # replicates per chunk; fixed so that results do not depend on n_jobs
SPAWN_SECONDS = 2.0  # below this estimated in-process time, do not start worker processes
JACKKNIFE_MAX = 1000  # delete-one jackknife up to this many cases, grouped jackknife beyond
TOL = 1e-6  # max |gradient| of F in replicates: estimates within ~1e-5 of a full-precision refit (lavaan: ~1e-5)
_CI_TYPES = ("percentile", "bca", "bca_simple", "normal")


# ============================================================================================ CI helpers


def norm_inter(t: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """Quantiles ``alpha`` of the draws ``t``, interpolated on the normal scale (boot's ``norm.inter``).

    The ``(R + 1) * alpha``-th order statistic; between two order statistics ``k`` and ``k + 1`` the value
    is interpolated linearly in ``qnorm(alpha)`` between ``qnorm(k / (R + 1))`` and ``qnorm((k + 1) / (R + 1))``.

    Examples
    --------
    >>> norm_inter(np.arange(1.0, 100.0), np.array([0.5])).tolist()
    [50.0]
    """
    t = np.sort(np.asarray(t, dtype=float)[np.isfinite(t)])
    R = len(t)
    alpha = np.atleast_1d(np.asarray(alpha, dtype=float))
    out = np.full(alpha.shape, np.nan)
    if R == 0:
        return out
    rk = (R + 1) * alpha
    k = np.trunc(rk).astype(int)
    for i, (r_i, k_i, a_i) in enumerate(zip(rk, k, alpha)):
        if k_i <= 0:
            out[i] = t[0]
        elif k_i >= R:
            out[i] = t[-1]
        elif k_i == r_i:
            out[i] = t[k_i - 1]
        else:
            z1, z2, z3 = sps.norm.ppf([a_i, k_i / (R + 1), (k_i + 1) / (R + 1)])
            tk, tk1 = t[k_i - 1], t[k_i]
            out[i] = tk + (z1 - z2) / (z3 - z2) * (tk1 - tk)
    return out


def bootstrap_ci(draws: np.ndarray, t0: float, ci: str = "percentile", level: float = 0.95,
                 acc: float = 0.0) -> tuple[float, float]:
    """Confidence interval of one quantity from its bootstrap draws.

    Parameters
    ----------
    draws : numpy.ndarray
        Bootstrap replicates of the quantity (non-finite values are ignored).
    t0 : float
        Full-sample estimate.
    ci : {"percentile", "bca", "bca_simple", "normal"}
    level : float
    acc : float
        Acceleration (``ci="bca"`` only).

    Examples
    --------
    >>> d = np.random.default_rng(0).normal(1.0, 0.1, 2000)
    >>> lo, hi = bootstrap_ci(d, 1.0)
    >>> round(lo, 1), round(hi, 1)
    (0.8, 1.2)
    """
    t = np.asarray(draws, dtype=float)
    t = t[np.isfinite(t)]
    if len(t) < 2 or np.var(t) == 0 or not np.isfinite(t0):
        return float(t0), float(t0)
    a2 = (1 - level) / 2
    if ci == "normal":
        bias = t.mean() - t0
        z = sps.norm.ppf(1 - a2)
        se = t.std(ddof=1)
        return float(t0 - bias - z * se), float(t0 - bias + z * se)
    alpha = np.array([a2, 1 - a2])
    if ci == "percentile":
        lo, hi = norm_inter(t, alpha)
        return float(lo), float(hi)
    if ci not in ("bca", "bca_simple"):
        raise ValueError(f"ci must be one of {_CI_TYPES}, got {ci!r}")
    a = acc if ci == "bca" else 0.0
    zalpha = sps.norm.ppf(alpha)
    w = sps.norm.ppf(np.sum(t < t0) / len(t))
    adj = sps.norm.cdf(w + (w + zalpha) / (1 - a * (w + zalpha)))
    if not np.all(np.isfinite(adj)):
        return float("nan"), float("nan")
    lo, hi = norm_inter(t, adj)
    return float(lo), float(hi)


def jackknife_acceleration(values: np.ndarray) -> np.ndarray:
    """Acceleration of the BCa interval from jackknife values (rows = deletions, columns = quantities).

    ``a = sum(u^3) / (6 * sum(u^2)^1.5)`` with ``u = mean - value`` (Efron & Tibshirani 1993, 14.15).

    Examples
    --------
    >>> float(jackknife_acceleration(np.array([[1.0], [2.0], [3.0]]))[0])
    0.0
    """
    v = np.asarray(values, dtype=float)
    u = np.nanmean(v, axis=0) - v
    num = np.nansum(u ** 3, axis=0)
    den = 6 * np.nansum(u ** 2, axis=0) ** 1.5
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / den, 0.0)


# ============================================================================================ replicate engine


@dataclass
class _Context:
    """What a worker needs to refit the model on a resample (built once, pickled to workers)."""

    pt: pd.DataFrame
    models: list
    stats: list  # the fit's sample statistics per group (with the data)
    design: object  # pipeline.Design
    options: object  # SEMOptions
    theta: np.ndarray
    hinv: np.ndarray  # inverse unit information at the full-sample estimates (quasi-Newton start)
    cluster_ids: np.ndarray | None = None  # resample clusters instead of cases


def _context(fit) -> _Context:
    st = fit._state
    models = copy.deepcopy(st.models)
    for m in models:
        m._cache.clear()
    H = st.unit_info if st.unit_info is not None else st.objective.grad_info(st.theta)[1]
    try:
        hinv = np.linalg.inv(H)
        if not np.all(np.isfinite(hinv)) or np.any(np.linalg.eigvalsh((hinv + hinv.T) / 2) <= 0):
            raise np.linalg.LinAlgError
    except np.linalg.LinAlgError:
        hinv = np.eye(len(st.theta))
    ids = st.design.cluster_ids if st.opts.cluster is not None else None
    return _Context(pt=st.pt, models=models, stats=list(st.stats), design=st.design, options=st.opts,
                    theta=np.asarray(st.theta, dtype=float).copy(), hinv=(hinv + hinv.T) / 2, cluster_ids=ids)


def _fit_replicate(ctx: _Context, models: list, def_fun, counts: list[np.ndarray], std_plan=None):
    """Refit on a resample (case counts per group) through the pipeline's steps with a warm start. Returns
    (est, std_all) over all partable rows, or raises _Failure."""
    from .estimate import minimize, quasi_newton
    from .pipeline import _set_exo_values, make_objective, replicate_statistics, solution

    stats = replicate_statistics(ctx.design, ctx.options, ctx.stats, counts)
    _set_exo_values(models, stats)
    for m in models:
        m._cache.clear()
    objective = make_objective(ctx.design, ctx.options, models, stats)
    res = quasi_newton(objective, ctx.theta, ctx.hinv, TOL)
    if not res.converged:
        res = minimize(objective, ctx.theta)
    if not np.isfinite(res.fmin):
        raise _Failure("the model-implied covariance matrix is not positive definite")
    if not res.converged:
        raise _Failure(f"did not converge ({res.message or 'optimizer'})")
    est, implied = solution(ctx.design, models, objective, res.theta)
    if std_plan is None:
        std_all = standardize(ctx.pt, est, models, implied)[1]
    else:
        std_all = std_plan(est, implied)
    if def_fun is not None:
        is_def = std_plan.is_def if std_plan is not None else (ctx.pt["op"] == ":=").to_numpy()
        est[is_def] = def_fun(est.copy())
        std_all[is_def] = def_fun(std_all.copy())
    return est, std_all


class _Failure(Exception):
    """A replicate without a usable solution (reason in the message)."""


BATCH = 250  # replicates refitted together (ML with complete data)
BATCH_MAXIT = 100


def _batchable(ctx: _Context) -> bool:
    """ML with complete data and no general constraints: refits share one information matrix and their sample
    moments are weighted sums of the data's cross-products, so all replicates can be refitted at once."""
    weighted_groups = ctx.design.weights is not None and len(ctx.stats) > 1  # per-replicate group weights vary
    return (ctx.options.objective == "ML" and ctx.options.missing == "listwise" and not ctx.design.ordered
            and not ctx.pt.attrs.get("general_constraints") and not weighted_groups)


def _batched_refits(ctx: _Context, models: list, def_fun, plan, count_sets: list) -> list:
    """Quasi-Newton refits of many replicates at once from the full-sample estimates (BFGS per replicate,
    started from the full-sample inverse information, Armijo backtracking per replicate); replicates that do
    not reach the tolerance in ``BATCH_MAXIT`` steps are refitted one by one (:func:`_fit_replicate`). Same
    results as one by one, to the convergence tolerance."""
    from .objectives.ml import BatchRAM, batch_moments, batch_value_grad

    R = len(count_sets)
    G = len(models)
    blocks = [BatchRAM(m) for m in models]
    moments = [batch_moments(ctx.stats[g].data, np.array([cs[g] for cs in count_sets])
                             * getattr(ctx.stats[g], "case_weights", 1.0)) for g in range(G)]
    ntot = sum(ctx.stats[g].nobs for g in range(G))
    weights = [ctx.stats[g].nobs / ntot for g in range(G)]
    ms = bool(ctx.design.meanstructure)
    q = len(ctx.theta)
    Hinv = ctx.hinv
    thetas = np.repeat(ctx.theta[None, :], R, axis=0)
    sub = lambda idx: [(m[0][idx], m[1][idx], m[2][idx]) for m in moments]  # noqa: E731
    F, g = batch_value_grad(blocks, thetas, moments, weights, ms, q)
    singular = ~np.isfinite(np.concatenate([m[2][:, None] for m in moments], axis=1)).all(axis=1)
    done = (np.max(np.abs(g), axis=1) < TOL) | singular
    Hi = np.repeat(Hinv[None], R, axis=0)  # per-replicate BFGS inverse Hessian, from the information
    for _it in range(BATCH_MAXIT):
        idx = np.flatnonzero(~done & np.isfinite(F))
        if not len(idx):
            break
        step = -np.einsum("rij,rj->ri", Hi[idx], g[idx])
        slope = np.sum(g[idx] * step, axis=1)
        bad = ~(slope < 0)
        if bad.any():  # not a descent direction: restart from the information
            Hi[idx[bad]] = Hinv
            step[bad] = -(g[idx[bad]] @ Hinv)
            slope[bad] = np.sum(g[idx[bad]] * step[bad], axis=1)
        t = np.ones(len(idx))
        pending = np.arange(len(idx))
        newF, newg = F[idx].copy(), g[idx].copy()
        newth = thetas[idx].copy()
        for _ls in range(30):
            if not len(pending):
                break
            cand = thetas[idx[pending]] + t[pending, None] * step[pending]
            Fc, gc = batch_value_grad(blocks, cand, sub(idx[pending]), weights, ms, q)
            ok = np.isfinite(Fc) & (Fc <= F[idx[pending]] + 1e-4 * t[pending] * slope[pending])
            acc = pending[ok]
            newF[acc], newg[acc], newth[acc] = Fc[ok], gc[ok], cand[ok]
            pending = pending[~ok]
            t[pending] *= 0.5
        stalled = np.zeros(len(idx), bool)
        stalled[pending] = True  # no acceptable step: leave it to the one-by-one refit
        sv, yv = newth - thetas[idx], newg - g[idx]
        sy = np.sum(sv * yv, axis=1)
        upd = (sy > 1e-16) & ~stalled
        if upd.any():
            H_u, s_u, y_u, rho = Hi[idx[upd]], sv[upd], yv[upd], 1.0 / sy[upd]
            Hy = np.einsum("rij,rj->ri", H_u, y_u)
            yHy = np.sum(y_u * Hy, axis=1)
            H_u = (H_u + ((rho * rho * yHy + rho)[:, None, None] * s_u[:, :, None] * s_u[:, None, :])
                   - rho[:, None, None] * (Hy[:, :, None] * s_u[:, None, :] + s_u[:, :, None] * Hy[:, None, :]))
            Hi[idx[upd]] = H_u
        thetas[idx], F[idx], g[idx] = newth, newF, newg
        done[idx[stalled]] = True
        done[idx] |= np.max(np.abs(newg), axis=1) < TOL
    converged = (np.max(np.abs(g), axis=1) < TOL) & np.isfinite(F) & ~singular
    # estimates of every row, standardized values, defined parameters
    nrows = len(ctx.pt)
    free = ctx.pt["free"].to_numpy()
    ustart = ctx.pt["ustart"].to_numpy(dtype=float)
    base = np.where(np.isfinite(ustart), ustart, 0.0)
    est = np.repeat(base[None, :], R, axis=0)
    fr = free > 0
    est[:, fr] = thetas[:, free[fr] - 1]
    var_all = []
    for blk, mod, (mean, cov, _ld) in zip(blocks, models, moments):
        vals = blk.values(thetas, cov, mean)
        est[:, mod.rows] = vals
        imp = blk.implied(vals)
        ca = imp["B"] @ imp["S"] @ np.transpose(imp["B"], (0, 2, 1))
        var_all.append(np.diagonal(ca, axis1=1, axis2=2))
    est[:, (ctx.pt["op"] == ":=").to_numpy()] = np.nan
    std = plan.batch(est, var_all)
    out = []
    for r in range(R):
        if not converged[r]:
            try:
                with np.errstate(all="ignore"):
                    e, s_ = _fit_replicate(ctx, models, def_fun, count_sets[r], plan)
                out.append((e, s_, None))
            except _Failure as exc:
                out.append((None, None, str(exc)))
            except (np.linalg.LinAlgError, FloatingPointError, ValueError, ModelSpecificationError,
                    EstimationError, DataError) as exc:
                out.append((None, None, f"{type(exc).__name__}: {exc}"))
            continue
        e, s_ = est[r], std[r]
        if def_fun is not None:
            is_def = plan.is_def
            with np.errstate(all="ignore"):
                e[is_def] = def_fun(e.copy())
                s_[is_def] = def_fun(s_.copy())
        out.append((e, s_, None))
    return out


def _run_chunk(ctx: _Context, tasks: list) -> list:
    """Fit a list of replicates; each task is a list of per-group count vectors (or a seed, see below).

    A task ``("boot", seed_seq, n_rep)`` draws ``n_rep`` bootstrap samples from ``seed_seq``; a task
    ``("jack", groups)`` deletes each group of case indices in turn. Returns a list of
    ``(est, std_all, reason)`` with ``reason`` None for usable replicates.
    """
    with one_blas_thread():  # tiny matrices: multithreaded BLAS only adds contention
        return _run_chunk_inner(ctx, tasks)


def _count_sets(ctx: _Context, task: tuple, sizes: list[int]) -> list:
    """The case counts of a chunk task: bootstrap draws from its seed, or jackknife deletions."""
    if task[0] == "boot":
        rng = np.random.default_rng(task[1])
        return [_draw_counts(ctx, rng, sizes) for _ in range(task[2])]
    offsets = np.cumsum([0] + sizes)
    out = []
    uniq = np.unique(ctx.cluster_ids) if ctx.cluster_ids is not None else None
    for grp in task[1]:
        cs = [np.ones(n, dtype=np.int64) for n in sizes]
        for i in grp:
            if uniq is not None:  # delete a whole cluster (i indexes the sorted cluster ids)
                cs[0][ctx.cluster_ids == uniq[i]] = 0
                continue
            g = int(np.searchsorted(offsets, i, side="right") - 1)
            cs[g][i - offsets[g]] = 0
        out.append(cs)
    return out


def _draw_counts(ctx: _Context, rng, sizes: list[int]) -> list[np.ndarray]:
    """Case counts of one bootstrap resample: cases within groups, or whole clusters (``cluster=``)."""
    if ctx.cluster_ids is None:
        return [np.bincount(rng.integers(0, n, n), minlength=n) for n in sizes]
    uniq, inv = np.unique(ctx.cluster_ids, return_inverse=True)
    drawn = np.bincount(rng.integers(0, len(uniq), len(uniq)), minlength=len(uniq))
    return [drawn[np.asarray(inv).ravel()]]


def _merge_tasks(group: list) -> tuple:
    """Several chunk tasks as one task (each chunk keeps its own seed, so the draws do not change)."""
    return ("tasks", group)


def _run_chunk_inner(ctx: _Context, tasks: list) -> list:
    from .pipeline import _def_function

    models = copy.deepcopy(ctx.models)
    def_fun = _def_function(ctx.pt)
    plan = StandardizePlan(ctx.pt, models)
    sizes = [len(X) for X in ctx.design.X]
    out = []
    kind = tasks[0]
    if kind == "tasks":  # several chunks drawn with their own seeds, refitted together
        count_sets = []
        for t in tasks[1]:
            count_sets += _count_sets(ctx, t, sizes)
    else:  # a bootstrap or jackknife chunk
        count_sets = _count_sets(ctx, tasks, sizes)
    if _batchable(ctx):
        for k in range(0, len(count_sets), BATCH):
            out += _batched_refits(ctx, models, def_fun, plan, count_sets[k:k + BATCH])
        return out
    for counts in count_sets:
        try:
            with np.errstate(all="ignore"):
                est, std = _fit_replicate(ctx, models, def_fun, counts, plan)
            out.append((est, std, None))
        except _Failure as exc:
            out.append((None, None, str(exc)))
        except (np.linalg.LinAlgError, FloatingPointError, ValueError, ModelSpecificationError,
                EstimationError, DataError) as exc:
            out.append((None, None, f"{type(exc).__name__}: {exc}"))
    return out


def _run_batch(ctx: _Context, batch: list) -> list:
    """Several chunk tasks in one worker call (the context is sent once per batch)."""
    return [_run_chunk(ctx, t) for t in batch]


def _pool_is_warm(workers: int) -> bool:
    """True when joblib's reusable loky executor is already running with ``workers`` processes."""
    try:
        from joblib.externals.loky import reusable_executor as reusable

        ex = reusable._executor
        return (ex is not None and not ex._flags.broken and not ex._flags.shutdown and ex._max_workers == workers
                and len(getattr(ex, "_processes", None) or {}) > 0)
    except Exception:  # private API: any change means "unknown", i.e. not warm
        return False


def _execute(ctx: _Context, tasks: list, n_jobs: int, progress: bool, total: int, desc: str) -> list:
    """Run the chunk tasks (results in task order) serially or with joblib/loky; optional tqdm progress bar.

    The first two chunks run in this process (the second is timed). The rest goes to worker processes
    unless it would take less than ``SPAWN_SECONDS`` here and no worker pool is running yet (starting workers
    and importing the package in them costs about a second). Chunks are grouped into about four batches per
    worker. Neither choice affects the results: each chunk has its own seed.
    """
    show = bool(progress) and getattr(sys.stderr, "isatty", lambda: False)()
    bar = None
    if show:
        from tqdm.auto import tqdm

        bar = tqdm(total=total, desc=desc, unit="rep")
    results = []

    def collect(r):
        results.append(r)
        if bar is not None:
            bar.update(len(r))

    try:
        if _batchable(ctx):  # all replicates in this process, BATCH at a time (no worker processes needed)
            with one_blas_thread():
                for k in range(0, len(tasks), max(1, BATCH // CHUNK)):
                    group = tasks[k:k + max(1, BATCH // CHUNK)]
                    merged = _run_chunk_inner(ctx, _merge_tasks(group))
                    collect(merged)
            return [x for r in results for x in r]
        from joblib import cpu_count

        workers = cpu_count() if n_jobs is None or n_jobs < 0 else int(n_jobs)
        collect(_run_chunk(ctx, tasks[0]))  # includes one-off costs (imports, thread-pool inspection)
        rest = tasks[1:]
        remaining = 0.0
        if rest:
            t0 = time.perf_counter()
            collect(_run_chunk(ctx, rest[0]))
            rest = rest[1:]
            remaining = (time.perf_counter() - t0) * len(rest)
        if workers <= 1 or len(rest) <= 1 or (remaining < SPAWN_SECONDS and not _pool_is_warm(workers)):
            for t in rest:
                collect(_run_chunk(ctx, t))
        else:
            from joblib import Parallel, delayed

            size = max(1, -(-len(rest) // (4 * workers)))
            batches = [rest[i:i + size] for i in range(0, len(rest), size)]
            par = Parallel(n_jobs=workers, backend="loky", return_as="generator")
            for rs in par(delayed(_run_batch)(ctx, b) for b in batches):
                for r in rs:
                    collect(r)
    finally:
        if bar is not None:
            bar.close()
    return [x for r in results for x in r]


# ============================================================================================ result


def _param_columns(pt: pd.DataFrame) -> tuple[np.ndarray, list[str]]:
    """Rows reported in ``draws``: the first row of every free parameter and every defined parameter."""
    free = pt["free"].to_numpy()
    op = pt["op"].to_numpy()
    rows, names, seen = [], [], set()
    group = pt["group"].to_numpy() if "group" in pt else np.ones(len(pt), int)
    multi = len(set(group[op != ":="].tolist())) > 1
    for k in range(len(pt)):
        if op[k] == ":=" or (free[k] > 0 and free[k] not in seen):
            if free[k] > 0:
                seen.add(free[k])
            lab = pt["label"].iat[k]
            name = lab if (lab and op[k] == ":=") else f"{pt['lhs'].iat[k]}{op[k]}{pt['rhs'].iat[k]}"
            if multi and op[k] != ":=":
                name += f".g{group[k]}"
            if name in names:
                name = f"{name}.{k + 1}"
            rows.append(k)
            names.append(name)
    return np.array(rows, dtype=int), names


@dataclass
class BootstrapResult:
    """Bootstrap standard errors and confidence intervals of a fitted model.

    Attributes
    ----------
    estimates : pandas.DataFrame
        The fit's estimates with bootstrap ``se`` (SD of the draws), ``z``/``pvalue`` from it, ``ci_lower``/
        ``ci_upper`` of the requested type, and ``std_all_se``, ``std_all_ci_lower``, ``std_all_ci_upper``.
        Fixed rows keep se NaN and a CI equal to the estimate.
    draws : pandas.DataFrame
        Usable replicates x (free and defined) parameters (unstandardized).
    std_draws : pandas.DataFrame
        The same for the completely standardized solution (std_all).
    n, n_ok, n_failed : int
        Requested, usable and failed replicates.
    failures : pandas.DataFrame
        One row per failed replicate: ``replicate`` (0-based) and ``reason``.
    seed : int
    ci : str
    level : float
    acceleration : pandas.Series or None
        BCa acceleration per estimates row (``ci="bca"``).
    warnings : list of str
    """

    estimates: pd.DataFrame
    draws: pd.DataFrame
    std_draws: pd.DataFrame
    n: int
    n_ok: int
    n_failed: int
    failures: pd.DataFrame
    seed: int
    ci: str
    level: float
    acceleration: pd.Series | None = None
    warnings: list = field(default_factory=list)
    _store: dict = field(default_factory=dict, repr=False)

    def confint(self, ci: str | None = None, level: float | None = None) -> "BootstrapResult":
        """The same draws summarised with another interval type or level (no refitting).

        ``ci="bca"`` needs the jackknife acceleration, i.e. a result computed with ``ci="bca"``.

        Examples
        --------
        >>> import numpy as np, pandas as pd
        >>> from resilience_stats.sem import sem
        >>> rng = np.random.default_rng(0); f = rng.normal(size=200)
        >>> df = pd.DataFrame({f"x{i}": f + rng.normal(size=200) for i in range(3)})
        >>> boot = sem("F =~ x0 + x1 + x2", df).bootstrap(n=40, n_jobs=1, progress=False)
        >>> boot.confint("normal", level=0.9).ci
        'normal'
        """
        ci = {"perc": "percentile", "bca.simple": "bca_simple", "norm": "normal"}.get(ci, ci) or self.ci
        if ci not in _CI_TYPES:
            raise ValueError(f"ci must be one of {_CI_TYPES}, got {ci!r}")
        st = self._store
        if ci == "bca" and st.get("acc_e") is None:
            raise ValueError("BCa needs the jackknife acceleration: call bootstrap(..., ci='bca')")
        acc_e, acc_s = st.get("acc_e"), st.get("acc_s")
        return _assemble(st["est_tab"], st["pt"], st["E"], st["S"], self.failures, self.n, self.seed, ci,
                         self.level if level is None else level, acc_e, acc_s, self.warnings)

    def __repr__(self) -> str:
        return (f"<BootstrapResult n={self.n} n_ok={self.n_ok} n_failed={self.n_failed} ci={self.ci!r} "
                f"seed={self.seed}>")

    def to_table(self, kind: str | None = None, *, lang: str = "en", style: str = "apa", number: int | None = None,
                 title=None, instrument=None, **options):
        """A publication table: kind "indirect" (effects with bootstrap CIs; default when effects are defined) or
        "paths".

        ``kind``, ``lang``, ``style``, ``number``, ``title``, ``instrument`` and ``**options`` as in
        :func:`resilience_stats.tables.from_result`; returns a :class:`~resilience_stats.tables.PubTable`.
        """
        from ..tables.adapters import from_result  # presentation is imported only when asked for

        return from_result(self, kind, lang=lang, style=style, number=number, title=title, instrument=instrument,
                           **options)


def _summaries(est0: np.ndarray, draws: np.ndarray, ci: str, level: float, acc: np.ndarray | None):
    """se, ci_lower, ci_upper per column of ``draws`` (rows = replicates)."""
    q = draws.shape[1]
    se = np.full(q, np.nan)
    lo, hi = est0.copy(), est0.copy()
    for j in range(q):
        t = draws[:, j]
        t = t[np.isfinite(t)]
        if len(t) >= 2:
            se[j] = t.std(ddof=1)
        lo[j], hi[j] = bootstrap_ci(t, est0[j], ci, level, 0.0 if acc is None else acc[j])
    return se, lo, hi


def bootstrap(fit, n: int = 1000, seed: int = 0, ci: str = "percentile", n_jobs: int = -1,
              progress: bool = True, level: float = 0.95) -> BootstrapResult:
    """Nonparametric bootstrap of a fitted model: SEs and CIs of all, defined and standardized parameters.

    Parameters
    ----------
    fit : SEMResult
        A fitted model (:func:`~resilience_stats.sem.sem` / ``cfa``); the rows of its data are resampled.
    n : int, default 1000
        Number of bootstrap replicates.
    seed : int, default 0
        Seed of ``np.random.SeedSequence``; the same seed gives the same draws for any ``n_jobs``.
    ci : {"percentile", "bca", "bca_simple", "normal"}
        Type of confidence interval (see the module docstring).
    n_jobs : int, default -1
        Worker processes at most (joblib/loky; -1 = all cores, 1 = in this process). Short runs stay in this
        process unless a worker pool is already running (see ``_execute``); results never depend on it.
    progress : bool, default True
        Show a tqdm progress bar (only when stderr is a terminal).
    level : float, default 0.95

    Returns
    -------
    BootstrapResult

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from resilience_stats.sem import sem
    >>> rng = np.random.default_rng(0); f = rng.normal(size=300)
    >>> df = pd.DataFrame({f"x{i}": f + rng.normal(size=300) for i in range(3)})
    >>> df["y"] = 0.5 * f + rng.normal(size=300)
    >>> boot = sem("F =~ x0 + x1 + x2\\n y ~ b*F", df).bootstrap(n=50, seed=1, n_jobs=1, progress=False)
    >>> boot.n_ok, "std_all_ci_lower" in boot.estimates
    (50, True)
    """
    ci = {"perc": "percentile", "bca.simple": "bca_simple", "norm": "normal"}.get(ci, ci)
    if ci not in _CI_TYPES:
        raise ValueError(f"ci must be one of {_CI_TYPES}, got {ci!r}")
    if getattr(fit._state, "twolevel", None) is not None:
        raise ModelSpecificationError("the bootstrap of a two-level model (resampling communities and their "
                                      "residents) is not available yet; use estimator='MLR' for robust standard "
                                      "errors")
    n = int(n)
    if n < 2:
        raise ValueError("n must be at least 2 bootstrap replicates")
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1), got {level}")
    ctx = _context(fit)
    n_chunks = -(-n // CHUNK)
    children = np.random.SeedSequence(int(seed)).spawn(n_chunks)
    tasks = [("boot", children[k], min(CHUNK, n - k * CHUNK)) for k in range(n_chunks)]
    reps = _execute(ctx, tasks, n_jobs, progress, n, "bootstrap")

    est_tab = fit.estimates
    ok = [r for r in reps if r[2] is None]
    fail = [(i, r[2]) for i, r in enumerate(reps) if r[2] is not None]
    nrows = len(est_tab)
    E = np.array([r[0] for r in ok]).reshape(len(ok), nrows)
    S = np.array([r[1] for r in ok]).reshape(len(ok), nrows)
    warnings = []
    if fail:
        reasons = pd.Series([f[1] for f in fail]).value_counts()
        warnings.append(f"{len(fail)} of {n} bootstrap replicates failed and were left out: " +
                        "; ".join(f"{k} ({v}x)" for k, v in reasons.items()))
    if len(ok) < 2:
        raise EstimationError(f"only {len(ok)} of {n} bootstrap replicates gave a usable solution")

    acc_e = acc_s = None
    if ci == "bca":
        acc_e, acc_s, jw = _jackknife(ctx, fit, n_jobs, progress, seed)
        warnings += jw
    failures = pd.DataFrame(fail, columns=["replicate", "reason"]).astype({"replicate": int})
    return _assemble(est_tab, ctx.pt, E, S, failures, n, int(seed), ci, level, acc_e, acc_s, warnings)


def _assemble(est_tab, pt, E, S, failures, n, seed, ci, level, acc_e, acc_s, warnings) -> BootstrapResult:
    """Summaries (se, CIs) of the stored draws ``E`` (est) and ``S`` (std_all) over all partable rows."""
    nrows = len(est_tab)
    est0 = est_tab["est"].to_numpy(dtype=float)
    std0 = est_tab["std_all"].to_numpy(dtype=float)
    var_rows = np.flatnonzero((pt["free"].to_numpy() > 0) | (pt["op"].to_numpy() == ":="))
    use = ci == "bca" and acc_e is not None
    se, lo, hi = _summaries(est0[var_rows], E[:, var_rows], ci, level, acc_e[var_rows] if use else None)
    sse, slo, shi = _summaries(std0, S, ci, level, acc_s if use else None)
    table = est_tab.copy()
    se_all = np.full(nrows, np.nan)
    lo_all, hi_all = est0.copy(), est0.copy()
    se_all[var_rows], lo_all[var_rows], hi_all[var_rows] = se, lo, hi
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(se_all > 0, est0 / se_all, np.nan)
    table["se"], table["z"] = se_all, z
    table["pvalue"] = 2 * sps.norm.sf(np.abs(z))
    table["ci_lower"], table["ci_upper"] = lo_all, hi_all
    table["std_all_se"], table["std_all_ci_lower"], table["std_all_ci_upper"] = sse, slo, shi

    cols, names = _param_columns(pt)
    draws = pd.DataFrame(E[:, cols], columns=names)
    std_draws = pd.DataFrame(S[:, cols], columns=names)
    acc = pd.Series(acc_e, index=table.index, name="acceleration") if use else None
    return BootstrapResult(estimates=table, draws=draws, std_draws=std_draws, n=n, n_ok=len(E),
                           n_failed=len(failures), failures=failures, seed=seed, ci=ci, level=level,
                           acceleration=acc, warnings=list(warnings),
                           _store=dict(est_tab=est_tab, pt=pt, E=E, S=S, acc_e=acc_e, acc_s=acc_s))


def _jackknife(ctx: _Context, fit, n_jobs: int, progress: bool, seed: int):
    """Jackknife acceleration of est and std_all (delete-one, or delete-a-group for large N)."""
    N = len(np.unique(ctx.cluster_ids)) if ctx.cluster_ids is not None else sum(len(X) for X in ctx.design.X)
    if N <= JACKKNIFE_MAX:
        groups = [[i] for i in range(N)]
    else:
        rng = np.random.default_rng(np.random.SeedSequence(int(seed)).spawn(1)[0].spawn(1)[0])
        perm = rng.permutation(N)
        groups = [g.tolist() for g in np.array_split(perm, JACKKNIFE_MAX)]
    tasks = [("jack", groups[k:k + CHUNK]) for k in range(0, len(groups), CHUNK)]
    reps = _execute(ctx, tasks, n_jobs, progress, len(groups), "jackknife")
    ok = [r for r in reps if r[2] is None]
    warnings = []
    if len(ok) < len(reps):
        warnings.append(f"{len(reps) - len(ok)} of {len(reps)} jackknife refits failed; the BCa acceleration "
                        "uses the others")
    nrows = len(fit.estimates)
    E = np.array([r[0] for r in ok]).reshape(len(ok), nrows)
    S = np.array([r[1] for r in ok]).reshape(len(ok), nrows)
    return jackknife_acceleration(E), jackknife_acceleration(S), warnings
