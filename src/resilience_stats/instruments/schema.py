"""The questionnaire schema: what a ``questionnaires/*.yaml`` file may contain.

An instrument is data, validated with pydantic.  Each model below is one block of the YAML file; the
cross-field checks (unknown constructs, duplicate item ids, reverse-keyed items on unbounded scales,
second-order structure) live in :class:`InstrumentSpec`'s validators so that every error names the field.
"""

from __future__ import annotations

import math
import warnings
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

ConstructRole = Literal["party_building", "social_capital", "resilience", "outcome", "other"]
FieldRole = Literal["id", "cluster", "wave", "group", "demographic", "duration", "metadata", "weight"]
FieldType = Literal["numeric", "categorical", "text", "duration", "datetime"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Bilingual(_Strict):
    """A text in Chinese and/or English: either may be left out (a Chinese-only questionnaire), not both."""

    zh: str | None = Field(default=None, min_length=1)
    en: str | None = Field(default=None, min_length=1)

    @model_validator(mode="after")
    def _one_language(self):
        if self.zh is None and self.en is None:
            raise ValueError("give the text in Chinese (zh:) or English (en:) or both")
        return self

    def get(self, lang: str) -> str:
        """The text in ``lang`` ("zh" or "en"); the other language when this one was not given."""
        if lang not in ("zh", "en"):
            raise ValueError(f"lang must be 'zh' or 'en', not {lang!r}")
        first, other = (self.zh, self.en) if lang == "zh" else (self.en, self.zh)
        return first if first is not None else other

    @property
    def texts(self) -> tuple[str, ...]:
        """The texts given (zh first)."""
        return tuple(t for t in (self.zh, self.en) if t is not None)


class Text(_Bilingual):
    """A text in Chinese and English (one of the two may be left out)."""


class Source(_Strict):
    """A cited source of the instrument's concepts or items."""

    key: str = Field(min_length=1, description="short citation key, e.g. 'chen_zhang2025'")
    citation: str = Field(min_length=1, description="full reference")
    doi: str | None = None
    note: str | None = None


class Label(_Bilingual):
    """A response option's label (Chinese and/or English), with other spellings a survey platform may export.

    ``aliases`` are other spellings of the same option (完全同意 for 非常同意) and are always read;
    ``fuzzy_aliases`` are looser wordings that a respondent or platform may use for it (同意 for 比较同意,
    说不清 for 一般) and are read only when asked for (``read_survey(..., fuzzy_aliases=True)``). Every
    answer read through an alias is reported in ``SurveyWave.issues`` (check ``option_alias``).
    """

    aliases: tuple[str, ...] = ()
    fuzzy_aliases: tuple[str, ...] = ()


class Scale(_Strict):
    """A response scale. ``min``/``max`` bound the valid codes; labels map codes to option texts."""

    id: str = Field(min_length=1)
    type: Literal["likert", "ordinal", "numeric"] = "likert"
    min: float | None = None
    max: float | None = None
    labels: dict[int, Label] = Field(default_factory=dict)
    missing_codes: dict[int, Label] = Field(
        default_factory=dict, description="codes of this scale that mean 'no answer' (added to the instrument's)"
    )

    @model_validator(mode="after")
    def _check_bounds(self) -> "Scale":
        if self.min is not None and self.max is not None and not self.min < self.max:
            raise ValueError(f"scale {self.id!r}: min ({self.min}) must be below max ({self.max})")
        if self.type in ("likert", "ordinal"):
            if self.min is None or self.max is None:
                raise ValueError(f"scale {self.id!r}: a {self.type} scale needs min and max")
            for code in self.labels:
                if not self.min <= code <= self.max:
                    raise ValueError(
                        f"scale {self.id!r}: label code {code} lies outside [{self.min:g}, {self.max:g}]"
                    )
        for code in self.missing_codes:
            if self.bounded and self.min <= code <= self.max:
                raise ValueError(
                    f"scale {self.id!r}: missing code {code} lies inside the valid range [{self.min:g}, {self.max:g}]"
                )
        return self

    @property
    def bounded(self) -> bool:
        """True when both ends of the scale are known (reverse-keying needs them)."""
        return self.min is not None and self.max is not None

    @property
    def codes(self) -> list[int]:
        """Valid integer codes of a bounded scale (``min`` to ``max``)."""
        if not self.bounded:
            return []
        return list(range(math.ceil(self.min), math.floor(self.max) + 1))


class Construct(_Strict):
    """A latent construct. A construct with ``parent`` is a first-order facet of a second-order construct."""

    id: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$")
    name: Text
    description: Text | None = None
    role: ConstructRole
    parent: str | None = None


with warnings.catch_warnings():
    # pydantic warns that the field ``construct`` shadows BaseModel.construct, a deprecated v1 alias;
    # the YAML key is part of the schema, so the field keeps its name.
    warnings.filterwarnings("ignore", message='Field name "construct"', category=UserWarning)

    class Item(_Strict):
        """One questionnaire item; ``id`` is the column name in a cleaned data set."""

        id: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$")
        construct: str
        text_zh: str | None = Field(default=None, min_length=1)
        text_en: str | None = Field(default=None, min_length=1)
        scale: str
        reverse: bool = False
        aliases: tuple[str, ...] = Field(
            default=(), description="other column headers a survey file may use for this item (e.g. 'Q3_1')"
        )
        source: str | None = Field(default=None, description="key of the source the item was adapted from")

        @model_validator(mode="after")
        def _has_text(self):
            if self.text_zh is None and self.text_en is None:
                raise ValueError("give the item's wording as text_zh, text_en or both")
            return self

        def text(self, lang: str) -> str:
            """The wording in ``lang``, else in the other language."""
            first, other = (self.text_zh, self.text_en) if lang == "zh" else (self.text_en, self.text_zh)
            return first if first is not None else other


class FieldSpec(_Strict):
    """A non-item column: respondent id, community, wave, demographics, duration, platform metadata."""

    id: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$")
    role: FieldRole
    type: FieldType = "numeric"
    label: Text
    levels: dict[int, Label] = Field(default_factory=dict, description="codes of a categorical field")
    min: float | None = None
    max: float | None = None
    unit: str | None = Field(default=None, description="for durations: 'seconds' or 'minutes'")
    aliases: tuple[str, ...] = ()
    required: bool = False


class InstrumentSpec(_Strict):
    """A questionnaire as written in YAML: constructs, items, scales, missing-value codes, fields, sources.

    Users work with :class:`resilience_stats.instruments.Instrument`, which wraps a validated spec.
    """

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    version: str
    title: Text
    description: Text | None = None
    framework: str | None = Field(default=None, description="name of the framework model in rs.models")
    sources: tuple[Source, ...] = ()
    scales: tuple[Scale, ...] = Field(min_length=1)
    missing_codes: dict[int, Label] = Field(default_factory=dict)
    constructs: tuple[Construct, ...] = Field(min_length=1)
    items: tuple[Item, ...] = Field(min_length=1)
    fields: tuple[FieldSpec, ...] = ()
    min_speed_seconds: float | None = Field(
        default=None, description="completion times below this are flagged as speeders"
    )

    @field_validator("version", mode="before")
    @classmethod
    def _version_as_text(cls, value):
        return str(value)

    @model_validator(mode="after")
    def _cross_check(self) -> "InstrumentSpec":
        problems: list[str] = []
        scale_ids = [s.id for s in self.scales]
        problems += [f"scales: duplicate scale id {d!r}" for d in _duplicates(scale_ids)]
        construct_ids = [c.id for c in self.constructs]
        problems += [f"constructs: duplicate construct id {d!r}" for d in _duplicates(construct_ids)]
        item_ids = [i.id for i in self.items]
        problems += [f"items: duplicate item id {d!r}" for d in _duplicates(item_ids)]
        field_ids = [f.id for f in self.fields]
        problems += [f"fields: duplicate field id {d!r}" for d in _duplicates(field_ids)]
        problems += [
            f"fields: {d!r} is both an item id and a field id" for d in sorted(set(item_ids) & set(field_ids))
        ]
        source_keys = {s.key for s in self.sources}
        scales = {s.id: s for s in self.scales}
        constructs = {c.id: c for c in self.constructs}
        for k, item in enumerate(self.items):
            where = f"items[{k}] ({item.id})"
            if item.construct not in constructs:
                problems.append(f"{where}.construct: unknown construct {item.construct!r}")
            elif any(c.parent == item.construct for c in self.constructs):
                problems.append(
                    f"{where}.construct: {item.construct!r} is a second-order construct; "
                    "assign the item to one of its facets"
                )
            if item.scale not in scales:
                problems.append(f"{where}.scale: unknown scale {item.scale!r}")
            elif item.reverse and not scales[item.scale].bounded:
                problems.append(
                    f"{where}.reverse: item is reverse-keyed but scale {item.scale!r} has no min/max to reverse with"
                )
            if item.source is not None and item.source not in source_keys:
                problems.append(f"{where}.source: unknown source key {item.source!r}")
        for k, construct in enumerate(self.constructs):
            if construct.parent is None:
                continue
            where = f"constructs[{k}] ({construct.id}).parent"
            if construct.parent not in constructs:
                problems.append(f"{where}: unknown construct {construct.parent!r}")
            elif constructs[construct.parent].parent is not None:
                problems.append(f"{where}: {construct.parent!r} is itself a facet; only two levels are supported")
        alias_owner: dict[str, str] = {e.id.casefold(): e.id for e in [*self.items, *self.fields]}
        for entry in [*self.items, *self.fields]:
            for alias in entry.aliases:
                key = alias.casefold()
                if key in alias_owner and alias_owner[key] != entry.id:
                    problems.append(f"aliases: {alias!r} names both {alias_owner[key]!r} and {entry.id!r}")
                alias_owner[key] = entry.id
        used_scales = {i.scale for i in self.items}
        for scale in self.scales:
            problems += _label_clashes(scale, self.missing_codes)
            if scale.id in used_scales and scale.bounded:
                inside = sorted(c for c in self.missing_codes if scale.min <= c <= scale.max)
                problems += [
                    f"missing_codes: code {c} lies inside the response scale {scale.id!r} ({scale.min:g} to "
                    f"{scale.max:g}), so a real answer {c} would be read as missing; use codes outside the scale "
                    "(e.g. 8 = don't know, 9 = refused on a 1-5 scale)"
                    for c in inside
                ]
        if problems:
            raise ValueError("; ".join(problems))
        return self


def _duplicates(values: list[str]) -> list[str]:
    seen: set[str] = set()
    dup: list[str] = []
    for v in values:
        if v in seen and v not in dup:
            dup.append(v)
        seen.add(v)
    return dup


def _label_clashes(scale: Scale, instrument_missing: dict[int, Label]) -> list[str]:
    """Option texts (zh, en, aliases) that would map one answer to two codes of ``scale``."""
    owner: dict[str, int] = {}
    problems: list[str] = []
    options = [*scale.labels.items(), *instrument_missing.items(), *scale.missing_codes.items()]
    for code, label in options:
        for text in {*label.texts, *label.aliases, *label.fuzzy_aliases}:
            key = text.strip().casefold()
            if key in owner and owner[key] != code:
                problems.append(f"scales ({scale.id}): option text {text!r} names both code {owner[key]} and code {code}")
            owner.setdefault(key, code)
    return problems
