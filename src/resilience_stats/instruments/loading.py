"""Finding and loading questionnaires: bundled ones by name, any YAML file by path."""

from __future__ import annotations

import warnings
from importlib import resources
from pathlib import Path

import yaml
from pydantic import ValidationError

from ..errors import InstrumentError, InstrumentWarning
from .instrument import Instrument
from .schema import InstrumentSpec


def bundled_dir() -> Path:
    """The folder holding the bundled ``*.yaml`` questionnaires (installed package data or the source tree)."""
    packaged = resources.files("resilience_stats").joinpath("_questionnaires")
    if packaged.is_dir():
        return Path(str(packaged))
    source_tree = Path(__file__).resolve().parents[3] / "questionnaires"
    if source_tree.is_dir():
        return source_tree
    raise InstrumentError(
        "the bundled questionnaires were not found: the package is installed without its data; "
        "reinstall resilience_stats"
    )


def list_instruments() -> list[str]:
    """Names of the bundled questionnaires.

    Examples
    --------
    >>> import resilience_stats as rs
    >>> rs.list_instruments()
    ['collaborative_resilience', 'party_building_social_capital']
    """
    return sorted(p.stem for p in bundled_dir().glob("*.yaml"))


def load_instrument(name_or_path: str | Path | Instrument) -> Instrument:
    """Load a questionnaire by bundled name or from a YAML file, validating it.

    Parameters
    ----------
    name_or_path : str, pathlib.Path or Instrument
        A bundled name (see :func:`list_instruments`), a path to a ``.yaml`` file, or an Instrument
        (returned as is).

    Returns
    -------
    Instrument

    Raises
    ------
    InstrumentError
        The file is missing, not YAML, or violates the schema; the message names the file, each field and
        what is wrong.

    Examples
    --------
    >>> import resilience_stats as rs
    >>> inst = rs.load_instrument("party_building_social_capital")
    >>> "NET" in inst.construct_items
    True
    """
    if isinstance(name_or_path, Instrument):
        return name_or_path
    path = _resolve(name_or_path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InstrumentError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise InstrumentError(f"{path}: cannot be read ({exc.strerror})") from None
    try:
        data = yaml.load(text, Loader=_UniqueKeySafeLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise InstrumentError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise InstrumentError(f"{path}: expected a mapping of instrument fields at the top, got {type(data).__name__}")
    try:
        spec = InstrumentSpec.model_validate(data)
    except ValidationError as exc:
        raise InstrumentError(f"{path}: invalid instrument:\n" + _describe(exc)) from None
    instrument = Instrument(spec, path)
    for message in instrument.warnings:
        warnings.warn(f"{path.name}: {message}", InstrumentWarning, stacklevel=2)
    return instrument


class _UniqueKeySafeLoader(yaml.SafeLoader):
    """yaml's SafeLoader, refusing a mapping that repeats a key (safe_load silently keeps the last one)."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _value in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    "while constructing a mapping", node.start_mark, f"found duplicate key {key!r}", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _resolve(name_or_path: str | Path) -> Path:
    candidate = Path(name_or_path)
    looks_like_path = isinstance(name_or_path, Path) or candidate.suffix in (".yaml", ".yml") or len(candidate.parts) > 1
    if looks_like_path:
        if not candidate.is_file():
            raise InstrumentError(f"{candidate}: no such questionnaire file")
        return candidate
    bundled = bundled_dir() / f"{name_or_path}.yaml"
    if bundled.is_file():
        return bundled
    raise InstrumentError(
        f"{name_or_path!r} is neither a bundled questionnaire ({', '.join(list_instruments())}) nor a YAML file"
    )


def _describe(exc: ValidationError) -> str:
    lines = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"]) or "(instrument)"
        message = err["msg"].removeprefix("Value error, ")
        if where == "(instrument)":
            lines += [f"  - {part}" for part in message.split("; ")]
        else:
            lines.append(f"  - {where}: {message}")
    return "\n".join(lines)
