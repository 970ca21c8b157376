"""The fitted-model object :class:`SEMResult`."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ModelSpecificationError


__all__ = ["SEMResult", "FitState"]


@dataclass
class FitState:
    """Everything a fit leaves behind for the lazily computed results (internal)."""

    model_syntax: str
    options: dict
    pt: pd.DataFrame
    models: list
    stats: list
    objective: Any
    theta: np.ndarray
    optim: Any
    vcov: np.ndarray | None
    implied: list
    unit_info: np.ndarray | None = None
    observed_info: np.ndarray | None = None
    scores: list | None = None
    def_fun: Any = None
    group_labels: list = field(default_factory=list)
    n_orig: int = 0
    baseline: Any = None  # memoized callable: baseline (independence) model fit, dict
    robust: dict | None = None  # MLR: Yuan-Bentler trace and scaling factor
    fiml_corrected: Any = None  # memoized callable (FIML): lavaan's FIML-corrected robust CFI/RMSEA ingredients
    chisq: float = float("nan")
    loglik: float = float("nan")
    loglik_h1: float = float("nan")
    ndat: int = 0  # sample moments counted as data (fixed-x moments excluded)
    opts: Any = None  # the validated SEMOptions of the fit
    design: Any = None  # pipeline.Design: variables, data arrays, parameter table
    test: dict = field(default_factory=dict)  # test statistic (standard and scaled; sem/scaling.py)
    ordinal: dict | None = None  # ordered indicators: polychorics, implied correlations, thresholds per group
    ceq_rank: int = 0  # nonredundant general equality constraints (each adds a degree of freedom)
    con_jac: Any = None  # Jacobian of the equality and active inequality constraints at the estimates
    twolevel: dict | None = None  # two-level models: cluster data, the unrestricted (h1) fit, variable sets

    @property
    def meanstructure(self) -> bool:
        return bool(self.design.meanstructure) if self.design is not None else bool(
            getattr(self.objective, "meanstructure", False))


_COUNT_MEASURES = frozenset({"n_obs", "n_params", "df", "baseline_df", "df_scaled", "baseline_df_scaled",
                             "ntotal", "npar", "n_groups", "n_clusters"})


class FitIndices(pd.Series):
    """The fit measures of a fit: a float Series (arithmetic and indexing as usual) whose printout shows the
    counts (N, number of parameters, degrees of freedom) as integers.

    Examples
    --------
    >>> FitIndices({"n_obs": 301.0, "df": 24.0, "cfi": 0.931})
    n_obs     301
    df         24
    cfi     0.931
    dtype: float64
    """

    @property
    def _constructor(self):
        return FitIndices

    def __repr__(self) -> str:
        shown = pd.Series([int(v) if k in _COUNT_MEASURES and np.isfinite(v) and float(v).is_integer() else v
                           for k, v in self.items()], index=self.index, dtype=object, name=self.name)
        text = shown.to_string(float_format=lambda v: f"{v:.6g}")
        tail = (f"Name: {self.name}, " if self.name is not None else "") + f"dtype: {self.dtype}"
        return f"{text}\n{tail}"


class SummaryText(str):
    """``fit.summary()``: text that prints as itself in a console and renders as preformatted text in a
    notebook."""

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        import html

        return f"<pre>{html.escape(str(self))}</pre>"


class SEMResult:
    """Result of :func:`resilience_stats.sem.sem` / :func:`resilience_stats.sem.cfa`.

    Attributes
    ----------
    estimates : pandas.DataFrame
        One row per parameter in lavaan's order: lhs, op, rhs, label, est, se, z, pvalue, ci_lower, ci_upper,
        std_lv, std_all (fixed parameters have se NaN; ``:=`` rows carry delta-method standard errors).
    fit_indices : pandas.Series
        lavaan's fit measures in snake case (chisq, df, pvalue, cfi, tli, rmsea, rmsea_ci_lower, srmr, aic,
        bic, loglik ...; with MLR also the scaled and robust versions).
    r2 : pandas.Series
        R-squared of every endogenous variable.
    implied_cov : pandas.DataFrame
        Model-implied covariance matrix of the observed variables (single group; ``implied_covs`` lists groups).
    residuals : dict
        ``{"raw": DataFrame, "cor": DataFrame}`` (sample minus implied covariances; correlation residuals as
        lavaan's ``cor.bollen``), plus ``"mean"`` (Series) with a mean structure.
    warnings : list of str
    converged : bool
    partable : pandas.DataFrame
    n_obs : int

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from resilience_stats.sem import cfa
    >>> rng = np.random.default_rng(0); f = rng.normal(size=(300, 1))
    >>> df = pd.DataFrame(f @ np.ones((1, 4)) + rng.normal(size=(300, 4)), columns=list("abcd"))
    >>> fit = cfa(df, "F =~ a + b + c + d")
    >>> fit.estimates.loc[1, ["lhs", "op", "rhs"]].tolist()
    ['F', '=~', 'b']
    >>> sorted(fit.residuals)
    ['cor', 'raw']
    >>> fit.modification_indices().columns.tolist()
    ['lhs', 'op', 'rhs', 'mi', 'epc', 'sepc_lv', 'sepc_all']
    """

    def __init__(self, state: FitState, estimates: pd.DataFrame, warnings: list[str]):
        self._state = state
        self.estimates = estimates
        self.warnings = warnings
        self.converged = bool(state.optim.converged)
        self.iterations = int(state.optim.iterations)
        tl = getattr(state, "twolevel", None)
        self.n_obs = (int(tl["data"].N) if tl is not None
                      else int(round(sum(getattr(s, "n_raw", s.nobs) for s in state.stats))))
        self.options = dict(state.options)
        self.model_syntax = state.model_syntax
        pt = state.pt.copy()
        pt["est"] = estimates["est"].to_numpy()
        pt["se"] = estimates["se"].to_numpy()
        self.partable = pt

    # ------------------------------------------------------------------ basic facts
    @property
    def n_params(self) -> int:
        """Free parameters minus nonredundant general equality constraints (lavaan's ``npar``)."""
        return int(self._state.pt["free"].max()) - int(self._state.ceq_rank)

    @property
    def n_groups(self) -> int:
        return 1 if self._state.twolevel is not None else len(self._state.stats)

    @property
    def two_level(self) -> bool:
        """True for a two-level model (``level: 1`` / ``level: 2``); per-level values are keyed "within" and
        "between"."""
        return self._state.twolevel is not None

    @property
    def df(self) -> int:
        return self._state.ndat - self.n_params

    @property
    def vcov(self) -> pd.DataFrame:
        """Covariance matrix of the free parameters (index = first row label of each free parameter)."""
        pt = self._state.pt
        names = []
        for k in range(1, self.n_params + 1):
            r = pt[pt["free"] == k].iloc[0]
            names.append(r["label"] or f"{r['lhs']}{r['op']}{r['rhs']}")
        return pd.DataFrame(self._state.vcov, index=names, columns=names)

    @property
    def group_labels(self) -> list:
        """Group labels in model order (``[]`` for a single-group fit)."""
        return list(self._state.group_labels) if self.n_groups > 1 else []

    def _per_group(self, values: list):
        """A single value for one group, else a dict keyed by group label (as lavaan's per-group lists); a dict
        keyed "within"/"between" for a two-level model."""
        if self._state.twolevel is not None:
            return dict(zip(("within", "between"), values))
        if self.n_groups == 1:
            return values[0]
        labels = list(self._state.group_labels) or list(range(1, self.n_groups + 1))
        return dict(zip(labels, values))

    @cached_property
    def implied_covs(self) -> list[pd.DataFrame]:
        """Model-implied covariance matrix of each group, in group order."""
        out = []
        for mod, imp in zip(self._state.models, self._state.implied):
            out.append(pd.DataFrame(imp["sigma"], index=mod.ov, columns=mod.ov))
        return out

    @property
    def implied_cov(self):
        """Model-implied covariance matrix (a dict by group label for a multi-group fit)."""
        return self._per_group(self.implied_covs)

    @cached_property
    def implied_mean(self):
        """Model-implied means (sample means without a mean structure); a dict by group when grouped."""
        means = []
        for mod, imp, ss in zip(self._state.models, self._state.implied, self._state.stats):
            mu = imp["mu"] if self._state.meanstructure else ss.mean
            means.append(pd.Series(mu, index=mod.ov))
        return self._per_group(means)

    @cached_property
    def sample_cov(self):
        """Sample covariance (divided by N; EM estimate with missing data); a dict by group when grouped."""
        return self._per_group([pd.DataFrame(ss.cov, index=ss.names, columns=ss.names) for ss in self._state.stats])

    @cached_property
    def residuals(self) -> dict:
        """``{"raw", "cor"}`` (+ ``"mean"``, ``"mean_cor"`` with a mean structure); a dict of those by group."""
        out = []
        for ss, imp, mod in zip(self._state.stats, self._state.implied, self._state.models):
            S, sig = ss.cov, imp["sigma"]
            raw = pd.DataFrame(S - sig, index=mod.ov, columns=mod.ov)
            ds, dm = np.sqrt(np.diag(S)), np.sqrt(np.diag(sig))
            cor = pd.DataFrame(S / np.outer(ds, ds) - sig / np.outer(dm, dm), index=mod.ov, columns=mod.ov)
            res = {"raw": raw, "cor": cor}
            if self._state.meanstructure:
                res["mean"] = pd.Series(ss.mean - imp["mu"], index=mod.ov)
                res["mean_cor"] = pd.Series((ss.mean - imp["mu"]) / ds, index=mod.ov)
            out.append(res)
        return self._per_group(out)

    @cached_property
    def r2(self) -> pd.Series:
        """R-squared of endogenous variables (1 - residual variance / implied variance).

        A Series by variable; for a multi-group fit its index is (group, variable), for a two-level fit
        (level, variable).
        """
        pt = self._state.pt
        est = self.estimates["est"].to_numpy()
        per_group = []
        for mod, imp in zip(self._state.models, self._state.implied):
            out = {}
            names = mod.ov + mod.lv
            var_all = np.diag(imp["cov_all"])
            endo = set()
            sub = pt.iloc[mod.rows]
            for lhs, op, rhs in zip(sub["lhs"], sub["op"], sub["rhs"]):
                if op == "=~":
                    endo.add(rhs)
                elif op == "~":
                    endo.add(lhs)
            for k in mod.rows:
                r = pt.iloc[k]
                if r["op"] == "~~" and r["lhs"] == r["rhs"] and r["lhs"] in endo:
                    v = var_all[names.index(r["lhs"])]
                    out[r["lhs"]] = 1 - est[k] / v
            per_group.append(pd.Series(out, name="r2", dtype=float))
        if self.two_level:
            return pd.concat(per_group, keys=[1, 2], names=["level", "variable"]).rename("r2")
        if self.n_groups == 1:
            return per_group[0]
        labels = list(self._state.group_labels) or list(range(1, self.n_groups + 1))
        return pd.concat(per_group, keys=labels, names=["group", "variable"]).rename("r2")

    @property
    def icc(self) -> pd.Series:
        """Two-level models: the intraclass correlation of every within-level variable from the unrestricted
        two-level moments, ``Sigma_B,jj / (Sigma_W,jj + Sigma_B,jj)`` (0 for within-only variables; lavaan's
        ``lavInspect(fit, "icc")``)."""
        tl = self._state.twolevel
        if tl is None:
            raise ModelSpecificationError("fit.icc is for two-level models; for a wave use rs.icc(wave)")
        w, b = tl["h1_implied"]
        out = {}
        for i, v in enumerate(tl["within"]):
            if v in tl["between"]:
                j = tl["between"].index(v)
                out[v] = b["sigma"][j, j] / (w["sigma"][i, i] + b["sigma"][j, j])
            else:
                out[v] = 0.0
        return pd.Series(out, name="icc", dtype=float)

    def standardized_residuals(self):
        """z-values of the covariance (and mean) residuals, lavaan's ``residuals(fit, type = "standardized")``;
        see :func:`resilience_stats.sem.residuals.standardized_residuals`."""
        from .residuals import standardized_residuals

        return standardized_residuals(self)

    def residual_summary(self):
        """lavaan's ``lavResiduals(fit, se = TRUE)``: cor.bentler residuals with SEs and z, SRMR with its SE and
        test of exact fit, unbiased SRMR with CI; see :func:`resilience_stats.sem.residuals.residual_summary`."""
        from .residuals import residual_summary

        return residual_summary(self)

    # ------------------------------------------------------------------ fit measures
    @cached_property
    def fit_indices(self) -> pd.Series:
        """Every fit measure lavaan's ``fitMeasures()`` reports (our names: ``chisq``, ``df``, ``cfi``,
        ``rmsea_ci_lower``, ...) as a float Series that prints counts (N, parameters, df) as integers."""
        from .._blas import one_blas_thread
        from .fitmeasures import fit_measures

        with one_blas_thread():
            return FitIndices(fit_measures(self))

    def modification_indices(self, sort: bool = False, minimum_value: float = 0.0) -> pd.DataFrame:
        """Modification indices (score tests) for the parameters the model fixes or leaves out, with EPC and
        standardized EPC (lavaan's ``modindices()``), for every estimator and any number of groups.

        Returns a DataFrame with lhs, op, rhs, [group], mi, epc, sepc_lv, sepc_all; see
        :mod:`resilience_stats.sem.modindices`. To release cross-group equality constraints use
        ``resilience_stats.sem.invariance.equality_score_tests`` (lavaan's ``lavTestScore``).
        """
        from .modindices import modification_indices

        if self.two_level:
            raise ModelSpecificationError("modification indices of two-level models are not available yet; compare "
                                          "nested models with compare_fits")
        mi = modification_indices(self)
        if minimum_value > 0:
            mi = mi[mi["mi"] >= minimum_value]
        if sort:
            mi = mi.sort_values("mi", ascending=False)
        return mi.reset_index(drop=True)

    def bootstrap(self, n: int = 1000, seed: int = 0, ci: str = "percentile", n_jobs: int = -1,
                  progress: bool = True, level: float = 0.95):
        """Nonparametric bootstrap (lavaan's ``se = "bootstrap"``); see :func:`resilience_stats.sem.bootstrap.bootstrap`.

        Returns a :class:`~resilience_stats.sem.bootstrap.BootstrapResult` (estimates with bootstrap se and
        ci_lower/ci_upper, std_all CIs, draws, n_ok, n_failed, failures, warnings).
        """
        from .bootstrap import bootstrap

        return bootstrap(self, n=n, seed=seed, ci=ci, n_jobs=n_jobs, progress=progress, level=level)

    # ------------------------------------------------------------------ printing
    def summary(self, standardized: bool = True, digits: int = 3) -> SummaryText:
        """A text summary like lavaan's ``summary(fit, fit.measures = TRUE, standardized = TRUE)``."""
        fi = self.fit_indices
        lines = []
        status = "ended normally" if self.converged else "did NOT converge"
        lines.append(f"resilience_stats SEM {status} after {self.iterations} iterations")
        lines.append("")
        lines.append(f"  Estimator                                  {self.options['estimator']}")
        lines.append(f"  Number of model parameters               {self.n_params:>5d}")
        lines.append(f"  Number of observations                   {self.n_obs:>5d}")
        if self.two_level:
            label = f"Number of clusters [{self.options.get('cluster')}]"
            lines.append(f"  {label:<41}{self._state.twolevel['data'].J:>5d}")
        if self.options.get("missing") == "fiml":
            lines.append("  Missing data                              FIML")
        lines.append("")
        robust = "chisq_scaled" in fi.index
        lines.append("Model Test User Model:" + (f"{'Standard':>29}{'Scaled':>11}" if robust else ""))
        fmt = lambda v: f"{v:10.{digits}f}" if np.isfinite(v) else f"{'NA':>10}"
        lines.append(f"  Test statistic                         {fmt(fi['chisq'])}" +
                     (f" {fmt(fi['chisq_scaled'])}" if robust else ""))
        lines.append(f"  Degrees of freedom                     {fi['df']:10.0f}" +
                     (f" {fi['df']:10.0f}" if robust else ""))
        lines.append(f"  P-value (Chi-square)                   {fmt(fi['pvalue'])}" +
                     (f" {fmt(fi['pvalue_scaled'])}" if robust else ""))
        if robust:
            kind = "(scaled-shifted)" if "shift" in fi.index else "(Yuan-Bentler)   "
            lines.append(f"  Scaling correction factor {kind}        {fmt(fi['scaling_factor'])}")
            if "shift" in fi.index:  # WLSMV/ULSMV
                lines.append(f"  Shift parameter                                    {fmt(fi['shift'])}")
        lines.append("")
        lines.append("Fit indices:")
        for key, lab in [("cfi", "Comparative Fit Index (CFI)"), ("tli", "Tucker-Lewis Index (TLI)"),
                         ("cfi_robust", "Robust CFI"), ("tli_robust", "Robust TLI"),
                         ("loglik", "Loglikelihood user model (H0)"),
                         ("loglik_unrestricted", "Loglikelihood unrestricted model (H1)"),
                         ("aic", "Akaike (AIC)"), ("bic", "Bayesian (BIC)"), ("bic2", "Sample-size adjusted BIC"),
                         ("rmsea", "RMSEA"), ("rmsea_ci_lower", "90 Percent CI - lower"),
                         ("rmsea_ci_upper", "90 Percent CI - upper"), ("rmsea_pvalue", "P-value RMSEA <= 0.05"),
                         ("rmsea_robust", "Robust RMSEA"), ("srmr", "SRMR"),
                         ("srmr_within", "SRMR (within)"), ("srmr_between", "SRMR (between)")]:
            if key in fi.index:
                lines.append(f"  {lab:<40}{fmt(fi[key]):>14}")
        lines.append("")
        lines.append("Parameter Estimates:")
        se_lab = {"standard": "Standard errors: " + ("expected information" if self.options.get("information") == "expected"
                                                     else "observed information"),
                  "robust": "Standard errors: robust (sandwich)",
                  "none": "Standard errors: not computed"}.get(self.options.get("se_type", "standard"), "")
        lines.append(f"  {se_lab}")
        lines.extend(self._estimate_lines(fmt, standardized))
        if self.r2 is not None and len(self.r2):
            lines.append("")
            lines.append("R-Square:")
            for k, v in self.r2.items():
                name = " ".join(str(part) for part in k) if isinstance(k, tuple) else str(k)
                lines.append(f"  {name:<22}{fmt(v)}")
        if self.warnings:
            lines.append("")
            lines.append("Warnings:")
            lines.extend(f"  - {w}" for w in self.warnings)
        return SummaryText("\n".join(lines))

    def _estimate_lines(self, fmt, standardized: bool) -> list[str]:
        """The parameter blocks of the summary, one section per group for a multi-group fit."""
        est = self.estimates
        if "level" in est.columns:
            lines = []
            for L, name in ((1, "within"), (2, "between")):
                lines += ["", f"Level {L} [{name}]:"]
                lines += self._block_lines(est[(est["level"] == L) & (est["op"] != ":=")], fmt, standardized)
            return lines + self._block_lines(est[est["op"] == ":="], fmt, standardized)
        if self.n_groups > 1 and "group" in est.columns:
            lines = []
            defined = est[est["op"] == ":="]
            labels = list(self._state.group_labels) or list(range(1, self.n_groups + 1))
            for g, label in enumerate(labels, start=1):
                lines += ["", f"Group {g} [{label}]:"]
                lines += self._block_lines(est[(est["group"] == g) & (est["op"] != ":=")], fmt, standardized)
            return lines + self._block_lines(defined, fmt, standardized)
        return self._block_lines(est, fmt, standardized)

    @staticmethod
    def _block_lines(est: pd.DataFrame, fmt, standardized: bool) -> list[str]:
        lines: list[str] = []
        endo = set(est.loc[est["op"] == "=~", "rhs"]) | set(est.loc[est["op"] == "~", "lhs"])
        heads = {"=~": "Latent Variables", "~": "Regressions", "~~": "Covariances", "~1": "Intercepts",
                 "|": "Thresholds", ":=": "Defined Parameters"}
        for op_, title in heads.items():
            block = est[est["op"] == op_]
            if op_ == "~~":
                cov = block[block["lhs"] != block["rhs"]]
                var = block[block["lhs"] == block["rhs"]]
                groups = [("Covariances", cov), ("Variances", var)]
            else:
                groups = [(title, block)]
            for title2, b in groups:
                if not len(b):
                    continue
                lines.append("")
                hdr = f"{title2 + ':':<24}{'Estimate':>10}{'Std.Err':>10}{'z-value':>10}{'P(>|z|)':>10}"
                if standardized:
                    hdr += f"{'Std.lv':>10}{'Std.all':>10}"
                lines.append(hdr)
                last = None
                for _, r in b.iterrows():
                    if op_ in ("=~", "~") and r["lhs"] != last:
                        lines.append(f"  {r['lhs']} {op_}")
                        last = r["lhs"]
                    if op_ in ("=~", "~"):
                        name = f"    {r['rhs']}"
                    elif op_ == "~~" and r["lhs"] != r["rhs"]:
                        name = f"  {r['lhs']} ~~ {r['rhs']}"
                    elif op_ == ":=":
                        name = f"  {r['lhs']}"
                    else:  # (residual) variances and intercepts; '.' marks endogenous variables, as lavaan
                        name = f"  {'.' if r['lhs'] in endo else ''}{r['lhs']}"
                    if r["label"] and op_ != ":=":
                        name += f" ({r['label']})"
                    line = f"{name:<24}{fmt(r['est'])}"
                    if np.isfinite(r["se"]):
                        line += f"{fmt(r['se'])}{fmt(r['z'])}{fmt(r['pvalue'])}"
                    else:
                        line += " " * 30
                    if standardized:
                        line += f"{fmt(r['std_lv'])}{fmt(r['std_all'])}"
                    lines.append(line)
        return lines

    def __repr__(self) -> str:
        return (f"<SEMResult estimator={self.options['estimator']} n_obs={self.n_obs} npar={self.n_params} "
                f"df={self.df} converged={self.converged}>")

    def to_table(self, kind: str | None = None, *, lang: str = "en", style: str = "apa", number: int | None = None,
                 title=None, instrument=None, **options):
        """A publication table: kind "paths" (default with regressions), "loadings", "fit" or "indirect".

        ``kind``, ``lang``, ``style``, ``number``, ``title``, ``instrument`` and ``**options`` as in
        :func:`resilience_stats.tables.from_result`; returns a :class:`~resilience_stats.tables.PubTable`.
        """
        from ..tables.adapters import from_result  # presentation is imported only when asked for

        return from_result(self, kind, lang=lang, style=style, number=number, title=title, instrument=instrument,
                           **options)

    def __str__(self) -> str:
        return self.summary()
