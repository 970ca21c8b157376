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
        raise InstrumentError(f"{path}: invalid instrument:\n" + _describe(exc, data)) from None
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


def _describe(exc: ValidationError, data: dict | None = None) -> str:
    """The schema errors in words: where (block, entry number and id, key) and what is wrong."""
    lines = []
    errors = exc.errors()
    for err in errors:
        loc = err["loc"]
        if err.get("type") == "too_short" and any(e["loc"][:len(loc)] == loc and len(e["loc"]) > len(loc)
                                                  for e in errors):
            continue  # a list "too short" only because its entries failed: their own errors say why
        message = err["msg"].removeprefix("Value error, ")
        if not loc:
            lines += [f"  - {part}" for part in message.split("; ")]
            continue
        lines.append(f"  - {_where(loc, data)}: {_what(err, message)}")
    return "\n".join(lines)


def _where(loc: tuple, data: dict | None) -> str:
    """"items[2] (q3).reverse" from pydantic's location ("items", 2, "reverse") (0-based, as the cross-checks)."""
    text = ""
    node = data
    for step in loc:
        if isinstance(step, int):
            entry = node[step] if isinstance(node, list) and step < len(node) else None
            ident = (entry.get("id") or entry.get("key")) if isinstance(entry, dict) else None
            text += f"[{step}]" + (f" ({ident})" if ident else "")
            node = entry
        else:
            text += ("." if text else "") + str(step)
            node = node.get(step) if isinstance(node, dict) else None
    return text or "(instrument)"


_TYPE_WORDS = {
    "missing": "is missing (it is required)",
    "extra_forbidden": "is not a key of this block (check the spelling)",
    "bool_parsing": "must be true or false",
    "bool_type": "must be true or false",
    "string_type": "must be a text",
    "int_parsing": "must be a whole number",
    "int_type": "must be a whole number",
    "float_parsing": "must be a number",
    "float_type": "must be a number",
    "string_too_short": "must not be empty",
    "tuple_type": "must be a list (e.g. [a, b])",
    "dict_type": "must be a block of key: value lines",
    "model_type": "must be a block of key: value lines",
    "too_short": "must have at least one entry",
}


def _what(err: dict, message: str) -> str:
    kind = err.get("type", "")
    value = err.get("input")
    shown = f" (found {value!r})" if kind not in ("missing", "extra_forbidden") and not isinstance(value, dict) else ""
    if kind == "string_pattern_mismatch":
        return (f"{value!r} is not a valid id: start with a letter, then letters, digits or _"
                + (" (lower case for the instrument id)" if "a-z][a-z0-9" in message else ""))
    if kind in ("literal_error", "enum"):
        expected = (err.get("ctx") or {}).get("expected", "")
        return f"{value!r} is not allowed; use one of {expected}"
    if kind in _TYPE_WORDS:
        return _TYPE_WORDS[kind] + shown
    return message
