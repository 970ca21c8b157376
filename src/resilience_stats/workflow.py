"""The analyses of one or more survey waves, run in order and gathered into one results bundle.

:func:`analyze` is the statistics layer behind :func:`resilience_stats.report` and the command line: it reads
the waves, applies the exclusions the user chose, and runs every analysis of the report (sample, item
analysis, reliability and validity, EFA, CFA, SEM with bootstrap, invariance across waves and groups, wave
trends, community-level statistics).  Each analysis is a *step*; a step that raises (bad data, a model that
cannot be estimated) is recorded with its message and the later steps still run.  Nothing here draws or
formats: presentation lives in :mod:`resilience_stats.report`.

Analyses that other parts of the package may not provide (``SEMResult.bootstrap``, ``rs.validity``,
``rs.invariance``, ``rs.latent_mean_differences``) are looked up when the step runs; when absent the step is
recorded as *skipped* with the reason.
"""

from __future__ import annotations

import hashlib
import inspect
import platform
import time
import warnings
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from .errors import DataError, ModelSpecificationError, ResilienceStatsError
from .sem import options as _sem_options

__all__ = [
    "Analysis",
    "Step",
    "analyze",
    "community_means",
    "construct_correlations",
    "load_pooled",
    "load_waves",
    "missingness",
    "resolve_model",
    "sample_composition",
    "score_descriptives",
    "wave_means",
]

#: Distributions whose versions the provenance block lists (those the analyses and the report use).
DEPENDENCIES = ("numpy", "pandas", "scipy", "matplotlib", "seaborn", "jinja2", "python-docx", "PyYAML")

#: The order in which :func:`analyze` runs its steps.
STEP_NAMES = (
    "sample", "items", "reliability", "factorability", "parallel", "efa", "cfa", "common_method", "validity",
    "correlations", "sem", "bootstrap", "process", "invariance_waves", "latent_means_waves", "trends", "invariance_group",
    "latent_means_group", "icc", "community_means", "community_model", "composite_index",
)


@dataclass(frozen=True)
class Step:
    """The outcome of one analysis step.

    Attributes
    ----------
    name : str
    status : {"ok", "failed", "skipped", "unavailable"}
        ``failed``: the analysis raised (``error`` holds "ExceptionType: message"); ``skipped``: it does not
        apply to these data (``error`` holds the reason); ``unavailable``: this installation does not provide
        the analysis.
    value : object
        The result (None unless ``ok``).
    error : str or None
    warnings : tuple of str
        Warnings raised while it ran (de-duplicated, in order).
    seconds : float
        Wall time (not part of any report output, so reports stay reproducible).
    """

    name: str
    status: str
    value: Any = None
    error: str | None = None
    warnings: tuple[str, ...] = ()
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """True when the step ran and returned a value."""
        return self.status == "ok"


@dataclass
class Analysis:
    """Everything :func:`analyze` computed, with what went into it.

    Attributes
    ----------
    instrument : Instrument
    wave : SurveyWave
        All waves pooled (after exclusions), with a ``wave`` column.
    waves : list of SurveyWave
        The waves as given, before exclusions (their ``issues`` are the validation findings).
    wave_labels : list
        The distinct wave labels, sorted.
    model_name : str or None
        The framework model's name when the model came from ``rs.models``.
    model : str
        lavaan syntax of the structural model.
    options : dict
        estimator, missing, bootstrap, seed, exclude, group, cluster, n_jobs, parallel_iter, ci_level.
    steps : dict
        ``{name: Step}`` in the order of :data:`STEP_NAMES` (absent steps were not applicable at all).
    exclusions : pandas.DataFrame
        One row per excluded check: check, rows_flagged, rows_removed, action ("removed" or "kept").
    inputs : list of dict
        Per input: source, format, wave, n_rows, sha256, sha256_of ("file" or "table").
    versions : dict
        Python, resilience_stats and dependency versions.

    Examples
    --------
    >>> a = analyze(rs.example_survey(n=200, waves=2), "party_building_social_capital", bootstrap=0)  # doctest: +SKIP
    >>> a["cfa"].value.fit_indices["cfi"]  # doctest: +SKIP
    >>> a.value("reliability")  # doctest: +SKIP
    """

    instrument: Any
    wave: Any
    waves: list
    wave_labels: list
    model_name: str | None
    model: str
    options: dict
    steps: dict = field(default_factory=dict)
    exclusions: pd.DataFrame = field(default_factory=pd.DataFrame)
    inputs: list = field(default_factory=list)
    versions: dict = field(default_factory=dict)

    def __getitem__(self, name: str) -> Step:
        return self.steps[name]

    def value(self, name: str) -> Any:
        """The value of step ``name``, or None when it did not run or did not succeed."""
        step = self.steps.get(name)
        return step.value if step is not None and step.ok else None

    @property
    def multi_wave(self) -> bool:
        """True when the data hold two or more waves."""
        return len(self.wave_labels) >= 2

    @property
    def problems(self) -> list[Step]:
        """The steps that failed."""
        return [s for s in self.steps.values() if s.status == "failed"]


# -- inputs ------------------------------------------------------------------------------------------------------
def resolve_model(model: str | None, instrument: Any) -> tuple[str | None, str]:
    """``(name, syntax)`` of the structural model.

    Parameters
    ----------
    model : str, pathlib.Path or None
        None: the instrument's framework model (``rs.models.get(instrument.spec.framework)``), else its
        measurement model; a framework name (``rs.models.list()``); a path to a lavaan syntax file; or lavaan
        syntax (any text containing ``~``).
    instrument : Instrument

    Raises
    ------
    ModelSpecificationError
        An unknown name or a missing file.

    Examples
    --------
    >>> resolve_model(None, rs.load_instrument("party_building_social_capital"))[0]  # doctest: +SKIP
    'chen_zhang'
    """
    from . import models
    from .errors import ModelSpecificationError

    if model is None:
        framework = getattr(instrument.spec, "framework", None)
        if framework and framework in models.list():
            return framework, models.get(framework).syntax
        return None, instrument.measurement_model()
    if isinstance(model, Path) or (isinstance(model, str) and "~" not in model):
        text = str(model)
        if isinstance(model, str) and text in models.list():
            return text, models.get(text).syntax
        path = Path(text)
        if path.is_file():
            return None, read_model_file(path)
        raise ModelSpecificationError(
            f"model {text!r} is neither a framework model ({', '.join(models.list())}) nor a lavaan syntax file"
        )
    return None, str(model)


def read_model_file(path: str | Path) -> str:
    """The text of a lavaan syntax file: UTF-8 (with or without BOM), UTF-16 or GBK/GB18030, as data files are.

    Raises
    ------
    ModelSpecificationError
        The file cannot be read or is not text in one of these encodings.

    Examples
    --------
    >>> read_model_file("model.lav").splitlines()[0]  # doctest: +SKIP
    'PBL =~ pbl1 + pbl2 + pbl3'
    """
    from .errors import ModelSpecificationError, SurveyReadError
    from .survey.io import decode_text

    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ModelSpecificationError(f"model file {str(path)!r} cannot be read ({exc.strerror})") from None
    try:
        text, _encoding = decode_text(data, path)
    except SurveyReadError:
        raise ModelSpecificationError(f"model file {str(path)!r} is not text in UTF-8 or GBK; save it as UTF-8 "
                                      "text") from None
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise ModelSpecificationError(f"model file {str(path)!r} is empty")
    return text


def load_waves(waves: Any, instrument: Any = None, *, columns: Mapping[str, str] | None = None,
               fuzzy_aliases: bool = False) -> tuple[list, Any]:
    """Turn one wave, a list of waves, paths or DataFrames into ``(list of SurveyWave, Instrument)``.

    Parameters
    ----------
    waves : SurveyWave, str, Path, DataFrame, or a list of them
        Paths and DataFrames are read with :func:`~resilience_stats.read_survey` against ``instrument``. When
        pooled (:func:`load_pooled`, :func:`analyze`), the i-th input without a wave column gets wave label i + 1.
    instrument : Instrument, str or Path, optional
        Required unless every input is a SurveyWave.
    columns : dict, optional
        ``{file header: item or field id}`` for every file read (see :func:`~resilience_stats.read_survey`).
    fuzzy_aliases : bool, default False
        Read the scales' fuzzy option aliases too (see :func:`~resilience_stats.read_survey`).

    Raises
    ------
    DataError
        No input, or waves read against different instruments.

    Examples
    --------
    >>> ws, inst = load_waves(["wave1.csv", "wave2.csv"], "party_building_social_capital")  # doctest: +SKIP
    """
    from .instruments import load_instrument
    from .survey import SurveyWave, read_survey

    items = list(waves) if isinstance(waves, (list, tuple)) else [waves]
    if not items:
        raise DataError("no survey wave given")
    inst = load_instrument(instrument) if instrument is not None else None
    out = []
    for item in items:
        if isinstance(item, SurveyWave):
            out.append(item)
            continue
        if inst is None:
            raise DataError("an instrument is needed to read survey files or DataFrames")
        out.append(read_survey(item, inst, columns=dict(columns) if columns else None, fuzzy_aliases=fuzzy_aliases))
    if inst is None:
        inst = out[0].instrument
    ids = {w.instrument.id for w in out}
    if len(ids) > 1:
        raise DataError(f"the waves were read against different instruments: {', '.join(sorted(ids))}")
    return out, inst


def load_pooled(waves: Any, instrument: Any = None, exclude: Iterable[str] = (), *, keep: str = "none",
                columns: Mapping[str, str] | None = None, fuzzy_aliases: bool = False) -> Any:
    """Read the waves (see :func:`load_waves`), remove the rows flagged by the ``exclude`` checks, and pool them.

    ``exclude`` holds check names (``"speeders"``, ``"speeders,straightlining"``); an unknown name raises
    :class:`~resilience_stats.errors.DataError`. ``keep="first"`` keeps the first copy of duplicated
    respondents (checks ``duplicate_ids``, ``duplicate_rows``).

    Returns
    -------
    SurveyWave
        All waves in one (a ``wave`` column tells them apart); ``issues`` are those of the input waves.

    Examples
    --------
    >>> wave = load_pooled(["w1.csv", "w2.csv"], "party_building_social_capital",
    ...                    exclude=["speeders"])  # doctest: +SKIP
    """
    exclude = check_names(exclude)
    given, inst = load_waves(waves, instrument, columns=columns, fuzzy_aliases=fuzzy_aliases)
    kept, _removed = _apply_exclusions(given, exclude, keep)
    return _pool(kept, inst)


def check_names(exclude: Any) -> tuple[str, ...]:
    """The check names of ``exclude`` (a name, comma-separated names or a list), refusing unknown ones.

    Raises
    ------
    DataError
        A name that is not a validation check listing respondents.

    Examples
    --------
    >>> check_names(["speeders,straightlining"])
    ('speeders', 'straightlining')
    """
    from .survey.validation import ROW_CHECKS
    from .survey.wave import parse_checks

    names = parse_checks(exclude)
    bad = [n for n in names if n not in ROW_CHECKS]
    if bad:
        raise DataError(f"unknown check name(s) to exclude: {', '.join(map(repr, bad))}; checks that list "
                        f"respondents are: {', '.join(ROW_CHECKS)}")
    return tuple(names)


def _wave_field(inst: Any) -> str:
    ids = inst.field_ids("wave")
    return ids[0] if ids else "wave"


def _cluster_field(inst: Any) -> str | None:
    ids = inst.field_ids("cluster")
    return ids[0] if ids else None


def _apply_exclusions(waves: list, exclude: Sequence[str], keep: str = "none") -> tuple[list, pd.DataFrame]:
    """Drop the rows flagged by each check in ``exclude``; one record per check with what was removed."""
    records = []
    kept = []
    for w in waves:
        current = w
        for check in exclude:
            flagged = sum(int(c) for c in w.issues.loc[w.issues["check"] == check, "count"])
            before = len(current.data)
            if flagged:
                current = current.exclude(check, keep=keep)
            records.append({"source": str(w.meta.get("source")), "check": check, "rows_flagged": flagged,
                            "rows_removed": before - len(current.data)})
        kept.append(current)
    frame = pd.DataFrame(records, columns=["source", "check", "rows_flagged", "rows_removed"])
    return kept, frame


def _exclusion_summary(waves: list, exclude: Sequence[str], removed: pd.DataFrame) -> pd.DataFrame:
    """One row per row-level check found in the data: flagged rows and whether they were removed or kept."""
    issues = pd.concat([w.issues for w in waves], ignore_index=True) if waves else pd.DataFrame()
    rows = []
    checks = [c for c in ("straightlining", "speeders", "duplicate_ids", "duplicate_rows", "empty_respondents")
              if not issues.empty and (issues["check"] == c).any()]
    for check in dict.fromkeys([*checks, *exclude]):
        flagged_rows = set()
        for w in waves:
            picked = w.issues[w.issues["check"] == check]
            flagged_rows |= {(str(w.meta.get("source")), str(r)) for listed in picked["rows"] for r in listed}
        n_removed = int(removed.loc[removed["check"] == check, "rows_removed"].sum()) if not removed.empty else 0
        rows.append({"check": check, "rows_flagged": len(flagged_rows), "rows_removed": n_removed,
                     "action": "removed" if check in exclude else "kept"})
    return pd.DataFrame(rows, columns=["check", "rows_flagged", "rows_removed", "action"])


def _pool(waves: list, inst: Any):
    """One SurveyWave holding all waves (a ``wave`` column filled from each wave's label when missing)."""
    from .survey import SurveyWave

    wave_col = _wave_field(inst)
    datas, raws, issues = [], [], []
    for i, w in enumerate(waves):
        data = w.data.copy()
        label = w.meta.get("wave")
        if wave_col not in data.columns or data[wave_col].isna().all():
            data[wave_col] = label if label is not None and not isinstance(label, list) else i + 1
        datas.append(data)
        raws.append(w.raw)
        issues.append(w.issues)
    if len(waves) == 1:
        w = waves[0]
        return SurveyWave(w.raw, datas[0], dict(w.meta), w.issues, w.instrument, row_labels=w.row_labels)
    data = pd.concat(datas, ignore_index=True)
    labels = pd.concat([w.row_labels for w in waves], ignore_index=True)
    meta = {"source": [w.meta.get("source") for w in waves], "sha256": [w.meta.get("sha256") for w in waves],
            "wave": sorted(pd.unique(data[wave_col].dropna()).tolist()), "n_rows": len(data)}
    return SurveyWave(pd.concat(raws, ignore_index=True), data, meta,
                      pd.concat(issues, ignore_index=True), inst, row_labels=labels)


def _input_record(w: Any) -> dict:
    sha = w.meta.get("sha256")
    of = "file"
    if sha is None:
        sha = hashlib.sha256(w.raw.to_csv(index=False).encode("utf-8")).hexdigest()
        of = "table"
    source = w.meta.get("source")
    return {"source": source if isinstance(source, str) else str(source), "format": w.meta.get("format"),
            "wave": w.meta.get("wave"), "n_rows": int(len(w.data)), "sha256": sha, "sha256_of": of}


def software_versions() -> dict[str, str]:
    """Versions of Python, resilience_stats and the dependencies in :data:`DEPENDENCIES`.

    Examples
    --------
    >>> software_versions()["python"]  # doctest: +SKIP
    '3.11.9'
    """
    out = {"python": platform.python_version()}
    for name in ("resilience_stats", *DEPENDENCIES):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


# -- small statistics used by the steps (pure functions) ---------------------------------------------------------
def sample_composition(wave: Any, lang: str = "en") -> pd.DataFrame:
    """Counts and percentages of each categorical demographic or group field, and of the waves.

    Parameters
    ----------
    wave : SurveyWave
    lang : {"en", "zh"}
        Language of the variable and category labels.

    Returns
    -------
    pandas.DataFrame
        Columns variable, category, n, percent (0-100; of the non-missing answers; "missing" rows count the
        rest).

    Examples
    --------
    >>> sample_composition(wave)  # doctest: +SKIP
    """
    inst = wave.instrument
    data = wave.data
    rows = []
    fields = [f for f in inst.spec.fields if f.role in ("wave", "demographic", "group") and f.id in data.columns]
    for f in fields:
        if f.role == "wave" or f.type == "categorical":
            values = data[f.id]
            counts = values.value_counts(dropna=True).sort_index()
            total = int(values.notna().sum())
            label = f.label.get(lang)
            for code, n in counts.items():
                level = (f.levels or {}).get(_as_code(code))
                cat = level.get(lang) if level is not None else str(_plain(code))
                rows.append({"variable": label, "category": cat, "n": int(n), "percent": 100.0 * n / total})
            n_missing = int(values.isna().sum())
            if n_missing:
                rows.append({"variable": label, "category": "缺失" if lang == "zh" else "Missing",
                             "n": n_missing, "percent": np.nan})
    return pd.DataFrame(rows, columns=["variable", "category", "n", "percent"])


def _as_code(value: Any) -> Any:
    try:
        f = float(value)
        return int(f) if f.is_integer() else f
    except (TypeError, ValueError):
        return value


def _plain(value: Any) -> Any:
    return _as_code(value) if isinstance(value, (int, float, np.integer, np.floating)) else value


def missingness(wave: Any) -> pd.DataFrame:
    """Missing answers per item (after missing codes and invalid codes were set to missing).

    Returns
    -------
    pandas.DataFrame
        Columns item, construct, n_missing, pct_missing (0-100), in questionnaire order.

    Examples
    --------
    >>> missingness(wave).sort_values("pct_missing").tail()  # doctest: +SKIP
    """
    inst = wave.instrument
    items = wave.item_ids
    block = wave.data[items]
    n = len(block)
    return pd.DataFrame({
        "item": items,
        "construct": [inst.construct_of(i) for i in items],
        "n_missing": [int(block[i].isna().sum()) for i in items],
        "pct_missing": [100.0 * block[i].isna().sum() / n if n else np.nan for i in items],
    })


def score_descriptives(wave: Any) -> pd.DataFrame:
    """Construct scores (means of items): n, mean, sd, min, max, skew and excess kurtosis per construct.

    Examples
    --------
    >>> score_descriptives(wave)[["construct", "mean", "sd"]]  # doctest: +SKIP
    """
    scores = wave.scores()
    rows = []
    for c in scores.columns:
        s = scores[c].dropna()
        rows.append({"construct": c, "n": int(s.size), "mean": s.mean(), "sd": s.std(), "min": s.min(),
                     "max": s.max(), "skew": float(stats.skew(s)) if s.size > 2 else np.nan,
                     "kurtosis": float(stats.kurtosis(s)) if s.size > 3 else np.nan})
    return pd.DataFrame(rows, columns=["construct", "n", "mean", "sd", "min", "max", "skew", "kurtosis"])


def construct_correlations(wave: Any) -> dict:
    """Pearson correlations of the construct scores with their p values (pairwise complete).

    Returns
    -------
    dict
        ``descriptives`` (variable, mean, sd), ``corr`` and ``pvalues`` (square DataFrames).

    Examples
    --------
    >>> construct_correlations(wave)["corr"].round(2)  # doctest: +SKIP
    """
    scores = wave.scores()
    cols = list(scores.columns)
    corr = scores.corr()
    p = pd.DataFrame(np.nan, index=cols, columns=cols)
    for i, a in enumerate(cols):
        for b in cols[:i]:
            both = scores[[a, b]].dropna()
            if len(both) > 2:
                p.loc[a, b] = p.loc[b, a] = stats.pearsonr(both[a], both[b]).pvalue
    desc = pd.DataFrame({"variable": cols, "mean": scores.mean().to_numpy(), "sd": scores.std().to_numpy()})
    return {"descriptives": desc, "corr": corr, "pvalues": p}


def wave_means(wave: Any, level: float = 0.95) -> pd.DataFrame:
    """Construct score means per wave with t confidence intervals (:func:`~resilience_stats.score_summary`), and
    a one-way ANOVA across waves.

    Returns
    -------
    pandas.DataFrame
        Columns construct, wave, n, mean, sd, ci_lower, ci_upper, f_stat, pvalue (the ANOVA across waves, on
        the first row of each construct); ``attrs["level"]`` is the confidence level (the trend figure drawn
        from this table labels its intervals with it).

    Examples
    --------
    >>> wave_means(wave).query("construct == 'PBL'")  # doctest: +SKIP
    """
    from .survey.scores import score_summary

    wave_col = _wave_field(wave.instrument)
    scores = wave.scores()
    frame = scores.assign(wave=wave.data[wave_col].to_numpy())
    summ = score_summary(frame, "wave", list(scores.columns), level)
    out = summ[["construct", "wave", "n", "mean", "sd", "ci_lower", "ci_upper"]].copy()
    out["wave"] = [_plain(v) for v in out["wave"]]
    out["f_stat"] = np.nan
    out["pvalue"] = np.nan
    for c in scores.columns:
        groups = [g.dropna() for _, g in frame.groupby("wave", sort=True)[c]]
        usable = [g for g in groups if g.size > 1]
        if len(usable) >= 2:
            res = stats.f_oneway(*usable)
            first = out.index[out["construct"] == c][0]
            out.loc[first, ["f_stat", "pvalue"]] = float(res.statistic), float(res.pvalue)
    out = out.reset_index(drop=True)
    out.attrs["level"] = float(level)
    return out


def community_means(wave: Any) -> pd.DataFrame:
    """Respondents and mean construct scores per community (cluster field), communities sorted.

    Raises
    ------
    DataError
        The instrument declares no cluster field or the data lack it.

    Examples
    --------
    >>> community_means(wave).head()  # doctest: +SKIP
    """
    col = _cluster_field(wave.instrument)
    if col is None or col not in wave.data.columns:
        raise DataError("the data have no community (cluster) column")
    scores = wave.scores()
    frame = scores.assign(**{"_cluster": wave.data[col].astype(str)})
    out = frame.groupby("_cluster", sort=True).mean(numeric_only=True)
    out.insert(0, "n", frame.groupby("_cluster", sort=True).size())
    return out.reset_index().rename(columns={"_cluster": "community"})


def _with_communities(wave: Any, fn: Callable[[Any], Any]) -> Any:
    """``fn(wave)`` for the community-level steps; skipped (not failed) when the data have no community field,
    as a questionnaire without one (a single community, an own questionnaire) is no error."""
    col = _cluster_field(wave.instrument)
    if col is None or col not in wave.data.columns:
        raise _Skip("the data have no community (cluster) column: community-level results need one")
    return fn(wave)


def _community_model(wave: Any, syntax: str) -> Any:
    """The community-level structural model (:func:`~resilience_stats.community_model`): a two-level path model
    of the construct scores with 20 or more communities, else the structural model with cluster-robust standard
    errors; skipped when the model has no structural paths."""
    from .sem.syntax import parse_model

    if not any(f.op == "~" for f in parse_model(syntax).formulas):
        raise _Skip("the model has no structural paths (a measurement model only): no community-level model")
    return _api("community_model")(wave, syntax, estimator="MLR")


def composite_index_step(wave: Any) -> Any:
    """The report's composite index: entropy weights and TOPSIS over the communities (and waves) on the
    instrument's default indicators (:func:`resilience_stats.indices.default_indicators`).

    Raises
    ------
    _Skip
        The instrument has no community field or the data lack it, or fewer than 3 communities.

    Examples
    --------
    >>> composite_index_step(wave).scores.head()  # doctest: +SKIP
    """
    from .indices import composite_index

    col = _cluster_field(wave.instrument)
    if col is None or col not in wave.data.columns:
        raise _Skip("the instrument has no community (cluster) field in these data")
    if wave.data[col].dropna().nunique() < 3:
        raise _Skip("a composite index needs at least 3 communities")
    return composite_index(wave)


# -- running the steps -------------------------------------------------------------------------------------------
def _run_step(name: str, fn: Callable[[], Any]) -> Step:
    start = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            value = fn()
        except _Skip as skip:
            status = "unavailable" if isinstance(skip, _Unavailable) else "skipped"
            return Step(name, status, error=str(skip), seconds=time.perf_counter() - start)
        except Exception as exc:  # noqa: BLE001 - one failed analysis must not stop the others
            msgs = tuple(dict.fromkeys(str(w.message) for w in caught))
            return Step(name, "failed", error=f"{type(exc).__name__}: {exc}", warnings=msgs,
                        seconds=time.perf_counter() - start)
    msgs = tuple(dict.fromkeys(str(w.message) for w in caught))
    return Step(name, "ok", value=value, warnings=msgs, seconds=time.perf_counter() - start)


class _Skip(Exception):
    """Raised inside a step that does not apply (the message says why)."""


class _Unavailable(_Skip):
    """Raised inside a step whose analysis this installation does not provide."""


def _api(name: str) -> Callable:
    import resilience_stats as rs

    fn = getattr(rs, name, None)
    if fn is None:
        raise _Unavailable(f"rs.{name} is not available in this version of resilience_stats")
    return fn


def _accepts(fn: Callable, name: str) -> bool:
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False
    return name in params or any(p.kind is p.VAR_KEYWORD for p in params.values())


#: Estimators for ordinal indicators (the items are declared ordered): the SEM engine's registry.
ORDINAL_ESTIMATORS = _sem_options.ORDINAL_ESTIMATORS


#: Estimators the command line and :func:`analyze` accept: every estimator of the SEM engine.
ESTIMATORS = tuple(_sem_options.ESTIMATORS)


def fit_options(estimator: str = "MLR", missing: str | None = "fiml", ordered: bool = False) -> dict:
    """Keyword arguments of ``rs.cfa``/``rs.sem``/``rs.invariance`` for an estimator, missing-data rule and
    ordinal indicators, the same for every analysis (so that invariance uses FIML when the CFA does).

    The combination is validated by the SEM engine's own option check
    (:func:`resilience_stats.sem.options.resolve_options`), so the command line, the report and ``rs.sem`` accept
    and refuse the same things. ``missing`` applies to the estimators that can use full-information ML (ML,
    MLR); the least-squares and MLM-family estimators analyse complete cases. ``ordered=True`` or an estimator
    for ordered data only (WLSMV, ULSMV, ...) declares the items ordered categorical.

    Raises
    ------
    ValueError
        An unknown estimator or missing-data rule, or a combination the engine cannot fit (e.g. ``ordered``
        with MLR).

    Examples
    --------
    >>> fit_options("MLR", "fiml")
    {'estimator': 'MLR', 'missing': 'fiml'}
    >>> fit_options("WLSMV")
    {'estimator': 'WLSMV', 'ordered': True}
    >>> fit_options("MLM", "fiml")
    {'estimator': 'MLM'}
    """
    est = str(estimator).upper()
    if est not in ESTIMATORS:
        raise ValueError(f"estimator must be one of {', '.join(ESTIMATORS)}, not {estimator!r}")
    if missing not in (None, "fiml", "listwise"):
        raise ValueError(f"missing must be 'fiml' or 'listwise', not {missing!r}")
    spec = _sem_options.ESTIMATORS[est]
    if ordered and not spec.ordinal:
        raise ValueError(f"ordered items need an ordinal estimator ({', '.join(ORDINAL_ESTIMATORS)}), not {est}")
    kw: dict[str, Any] = {"estimator": est}
    if spec.objective == "ML" and not spec.complete_only and missing:
        kw["missing"] = missing
    if ordered or not spec.continuous:
        kw["ordered"] = True
    try:
        _sem_options.resolve_options(**kw)
    except ModelSpecificationError as err:
        raise ValueError(str(err)) from None
    return kw


def _fit_options(opts: Mapping[str, Any]) -> dict:
    return fit_options(opts["estimator"], opts.get("missing"))


def _sem_call(fn: Callable, model: str, wave: Any, opts: Mapping[str, Any]):
    kw = _fit_options(opts)
    if opts.get("cluster"):
        if not _accepts(fn, "cluster"):
            raise ResilienceStatsError("cluster-robust standard errors (cluster=) are not available in this version")
        kw["cluster"] = opts["cluster"]
    return fn(model, wave, **kw)


def _require_converged(fit: Any, what: str) -> Any:
    if not getattr(fit, "converged", True):
        notes = "; ".join(str(w) for w in getattr(fit, "warnings", []) or [])
        raise ResilienceStatsError(f"the {what} did not converge" + (f" ({notes})" if notes else "")
                                   + "; its estimates are not reported")
    return fit


def _bootstrap(fit: Any, opts: Mapping[str, Any], progress: bool):
    n = int(opts["bootstrap"])
    if n <= 0:
        raise _Skip("bootstrap=0: no bootstrap was requested")
    if fit is None:
        raise _Skip("the structural model was not estimated")
    method = getattr(fit, "bootstrap", None)
    if method is None:
        raise _Unavailable("bootstrap confidence intervals (SEMResult.bootstrap) are not available in this version")
    kw: dict[str, Any] = {"seed": opts["seed"]}
    for key, value in (("ci", "percentile"), ("level", opts["ci_level"]), ("n_jobs", opts["n_jobs"]),
                       ("progress", bool(progress))):
        if value is not None and _accepts(method, key):
            kw[key] = value
    return method(n, **kw)


#: Invariance levels fitted by the report (strict adds little for latent mean comparisons and costs a fit).
INVARIANCE_LEVELS = ("configural", "metric", "scalar")


def group_rows(wave: Any, group: str) -> Any:
    """The wave without the respondents whose ``group`` value is missing, warning how many were left out.

    Raises
    ------
    DataError
        ``group`` is not a column of the data.

    Examples
    --------
    >>> w = group_rows(wave, "party_member")  # doctest: +SKIP
    """
    from ._warn import warn
    from .errors import ResilienceStatsWarning

    if group not in wave.data.columns:
        raise DataError(f"group column {group!r} is not in the data")
    missing = wave.data[group].isna()
    if not missing.any():
        return wave
    n, total = int(missing.sum()), len(missing)
    warn(f"{n} of {total} respondents ({n / total:.0%}) have no {group!r} value and are left out of the "
         f"comparison across {group} groups", ResilienceStatsWarning)
    from .survey import SurveyWave

    keep = ~missing
    return SurveyWave(wave.raw.loc[keep.to_numpy()] if len(wave.raw) == len(keep) else wave.raw,
                      wave.data.loc[keep], dict(wave.meta), wave.issues, wave.instrument,
                      row_labels=wave.row_labels.loc[keep])


def _invariance(model: str, wave: Any, group: str, opts: Mapping[str, Any]):
    fn = _api("invariance")
    wave = group_rows(wave, group)
    if wave.data[group].dropna().nunique() < 2:
        raise _Skip(f"{group!r} has fewer than two groups")
    kw = {"group": group, "levels": INVARIANCE_LEVELS, **_fit_options(opts)}
    return fn(model, wave, **kw)


def _latent_means(inv: Any, opts: Mapping[str, Any]):
    fn = _api("latent_mean_differences")
    if inv is None:
        raise _Skip("the invariance models were not estimated")
    return fn(inv, level=opts["ci_level"])


def analyze(
    waves: Any,
    instrument: Any = None,
    model: str | None = None,
    *,
    bootstrap: int = 1000,
    seed: int = 0,
    exclude: Iterable[str] | None = None,
    group: str | None = None,
    estimator: str = "MLR",
    missing: str = "fiml",
    cluster: str | None = None,
    n_jobs: int | None = None,
    parallel_iter: int = 50,
    ci_level: float = 0.95,
    steps: Iterable[str] | None = None,
    on_step: Callable[[str], None] | None = None,
    bootstrap_progress: bool = False,
    keep: str = "none",
    columns: Mapping[str, str] | None = None,
    fuzzy_aliases: bool = False,
    process: Mapping[str, Any] | None = None,
) -> Analysis:
    """Run every analysis of the survey-wave report and return the results bundle.

    Parameters
    ----------
    waves : SurveyWave, path, DataFrame, or a list of them
        One or more waves (see :func:`load_waves`); two or more wave labels add the wave comparisons.
    instrument : Instrument, str or Path, optional
        Needed when ``waves`` holds paths or DataFrames.
    model : str or Path, optional
        Structural model (see :func:`resolve_model`); default the instrument's framework model.
    bootstrap : int, default 1000
        Bootstrap replicates of the structural model (0: none, delta-method intervals only; else at least 2).
    seed : int, default 0
        Seed of every random step (parallel analysis, bootstrap): the same inputs and seed give the same numbers.
    exclude : str or iterable of str, optional
        Validation checks whose flagged rows are removed before the analyses (e.g. ``["straightlining",
        "speeders"]``); flagged rows of other checks are kept and reported as kept. Unknown names are refused.
    group : str, optional
        A grouping column (e.g. ``"party_member"``) for measurement invariance across groups.
    estimator : str, default "MLR"
        Estimator of the CFA and SEM ("ML", "MLR", or others the installed engine supports, e.g. "WLSMV").
    missing : str, default "fiml"
        Missing-data handling of ML/MLR fits ("fiml" or "listwise").
    cluster : str, optional
        Cluster column for cluster-robust standard errors, when the engine supports ``cluster=``.
    n_jobs : int, optional
        Worker processes of the bootstrap (default: the engine's).
    parallel_iter : int, default 50
        Simulated data sets of the parallel analysis (psych's default is 20).
    ci_level : float, default 0.95
    steps : iterable of str, optional
        Run only these steps (names in :data:`STEP_NAMES`; a step whose input step did not run is skipped).
    on_step : callable, optional
        Called with each step's name before it runs (for progress display).
    bootstrap_progress : bool, default False
        Let the bootstrap show its own progress bar (tqdm, on a terminal).
    keep : {"none", "first"}, default "none"
        With ``duplicate_ids``/``duplicate_rows`` in ``exclude``: "first" keeps the first copy of each duplicate.
    columns : dict, optional
        ``{file header: item or field id}`` used when reading files (see :func:`~resilience_stats.read_survey`).
    fuzzy_aliases : bool, default False
        Read the scales' fuzzy option aliases too (see :func:`~resilience_stats.read_survey`).
    process : dict, optional
        A PROCESS model on the construct scores, the keyword arguments of :func:`resilience_stats.process`
        (e.g. ``dict(model=4, x="PBL", y="RES", m=["NET", "NORM", "TRUST"])``); runs as step "process"
        (``seed``, ``level`` and ``n_jobs`` default to this call's).

    Returns
    -------
    Analysis

    Raises
    ------
    DataError, SurveyReadError, InstrumentError, ModelSpecificationError
        Only for inputs that cannot be read at all or a model that cannot be resolved; failures of single
        analyses are recorded in their step.

    Examples
    --------
    >>> import resilience_stats as rs
    >>> raw = rs.example_survey("party_building_social_capital", n=200, waves=2, seed=1)  # doctest: +SKIP
    >>> a = rs.analyze(raw, "party_building_social_capital", bootstrap=100)  # doctest: +SKIP
    >>> a["sem"].value.estimates.query("op == ':='")  # doctest: +SKIP
    >>> [s.name for s in a.problems]  # doctest: +SKIP
    []
    """
    import resilience_stats as rs

    if int(bootstrap) < 0 or int(bootstrap) == 1:
        raise ValueError(f"bootstrap must be 0 (none) or at least 2 replicates, not {bootstrap!r}")
    fit_options(estimator, missing)  # an unknown estimator or missing rule fails before any work
    process_opts = _process_options(process, seed, ci_level, n_jobs)
    exclude = check_names(exclude)
    given, inst = load_waves(waves, instrument, columns=columns, fuzzy_aliases=fuzzy_aliases)
    model_name, syntax = resolve_model(model, inst)
    kept, removed = _apply_exclusions(given, exclude, keep)
    pooled = _pool(kept, inst)
    wave_col = _wave_field(inst)
    labels = sorted(pd.unique(pooled.data[wave_col].dropna()).tolist()) if wave_col in pooled.data else []
    opts = {"estimator": str(estimator).upper(), "missing": missing, "bootstrap": int(bootstrap), "seed": seed,
            "exclude": list(exclude), "group": group, "cluster": cluster, "n_jobs": n_jobs,
            "parallel_iter": int(parallel_iter), "ci_level": ci_level}
    if keep != "none":
        opts["keep"] = keep
    a = Analysis(instrument=inst, wave=pooled, waves=given, wave_labels=[_plain(x) for x in labels],
                 model_name=model_name, model=syntax, options=opts,
                 exclusions=_exclusion_summary(given, exclude, removed),
                 inputs=[_input_record(w) for w in given], versions=software_versions())
    w = pooled
    n_first_order = sum(1 for items in inst.construct_items.values() if items)
    measurement = inst.measurement_model()

    def sample():
        return {"composition_en": sample_composition(w, "en"), "composition_zh": sample_composition(w, "zh"),
                "missing": missingness(w),
                "issues": pd.concat([g.issues.assign(rows_are=g.meta.get("row_labels", "row")) for g in given],
                                    ignore_index=True),
                "n_by_wave": w.data[wave_col].value_counts().sort_index() if wave_col in w.data else None,
                "n_total": len(w.data), "n_before": sum(len(g.data) for g in given)}

    plan: list[tuple[str, Callable[[], Any]]] = [
        ("sample", sample),
        ("items", lambda: rs.item_analysis(w)),
        ("reliability", lambda: rs.reliability(w, seed=seed)),
        ("factorability", lambda: rs.factorability(w)),
        ("parallel", lambda: rs.parallel_analysis(w, n_iter=parallel_iter, seed=seed)),
        ("efa", lambda: rs.efa(w, n_factors=n_first_order)),
        ("cfa", lambda: _require_converged(rs.cfa(w, measurement, **_fit_options(opts)), "measurement model")),
        ("common_method", lambda: _common_method(a)),
        ("validity", lambda: _validity(a)),
        ("correlations", lambda: construct_correlations(w)),
        ("sem", lambda: _require_converged(_sem_call(rs.sem, syntax, w, opts), "structural model")),
        ("bootstrap", lambda: _bootstrap(a.value("sem"), opts, bootstrap_progress)),
    ]
    if process_opts is not None:
        opts["process"] = {k: v for k, v in process_opts.items() if k not in ("seed", "level", "n_jobs")}
        plan.append(("process", lambda: rs.process(w, **process_opts)))
    if a.multi_wave:
        plan += [
            ("invariance_waves", lambda: _invariance(measurement, w, wave_col, opts)),
            ("latent_means_waves", lambda: _latent_means(a.value("invariance_waves"), opts)),
            ("trends", lambda: wave_means(w, ci_level)),
        ]
    if group:
        plan += [
            ("invariance_group", lambda: _invariance(measurement, w, group, opts)),
            ("latent_means_group", lambda: _latent_means(a.value("invariance_group"), opts)),
        ]
    plan += [("icc", lambda: _with_communities(w, rs.icc)), ("community_means",
                                                              lambda: _with_communities(w, community_means))]
    plan += [("community_model", lambda: _with_communities(w, lambda wave: _community_model(wave, syntax)))]
    plan += [("composite_index", lambda: composite_index_step(w))]
    if steps is not None:
        wanted = set(steps)
        unknown = wanted - set(STEP_NAMES)
        if unknown:
            raise ValueError(f"unknown step(s) {', '.join(sorted(unknown))}; steps are {', '.join(STEP_NAMES)}")
        plan = [(name, fn) for name, fn in plan if name in wanted]
    for name, fn in plan:
        if on_step is not None:
            on_step(name)
        a.steps[name] = _run_step(name, fn)
    return a


def _process_options(process: Mapping[str, Any] | None, seed: int, level: float, n_jobs: int | None) -> dict | None:
    """The keyword arguments of the report's PROCESS step (checked before any work), or None."""
    from .errors import ModelSpecificationError

    if process is None:
        return None
    if not isinstance(process, Mapping) or not {"model", "x", "y"} <= set(process):
        raise ModelSpecificationError("process= must be a dict with at least model=, x= and y= (the arguments of "
                                      f"rs.process), not {process!r}")
    allowed = set(inspect.signature(_api("process")).parameters) - {"data"}
    unknown = sorted(set(process) - allowed)
    if unknown:
        raise ModelSpecificationError(f"process=: unknown option(s) {', '.join(unknown)}; options: "
                                      f"{', '.join(sorted(allowed))}")
    return {"seed": seed, "level": level, "n_jobs": n_jobs, **dict(process)}


def _common_method(a: Analysis):
    """Common-method-bias checks on the fitted measurement model (Harman's test alone when there is none)."""
    fn = _api("common_method_bias")
    fit = a.value("cfa")
    if fit is None or a.options["estimator"] not in ("ML", "MLR"):
        return fn(a.wave, tests=["harman"])
    return fn(a.wave, fit=fit)


def _validity(a: Analysis):
    fn = _api("validity")
    fit = a.value("cfa")
    if fit is None:
        raise _Skip("the measurement model was not estimated")
    return fn(fit)
