"""The :class:`Instrument` users work with: a validated questionnaire with tidy views and its lavaan model."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

import pandas as pd

from .schema import FieldSpec, InstrumentSpec, Label, Scale


class Instrument:
    """A questionnaire loaded from YAML (see :func:`resilience_stats.load_instrument`).

    Parameters
    ----------
    spec : InstrumentSpec
        The validated YAML content.
    path : pathlib.Path, optional
        The file it came from.

    Examples
    --------
    >>> import resilience_stats as rs
    >>> inst = rs.load_instrument("party_building_social_capital")
    >>> inst.items[["id", "construct", "reverse"]].head(2)  # doctest: +SKIP
    >>> print(inst.measurement_model())  # doctest: +SKIP
    """

    def __init__(self, spec: InstrumentSpec, path: Path | None = None):
        self.spec = spec
        self.path = path

    def __repr__(self) -> str:
        return (
            f"Instrument({self.id!r}, version={self.version!r}, constructs={len(self.spec.constructs)}, "
            f"items={len(self.spec.items)})"
        )

    # -- identity ---------------------------------------------------------------------------------------
    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def version(self) -> str:
        return self.spec.version

    def title(self, lang: str = "en") -> str:
        """The instrument's title in ``lang``."""
        return self.spec.title.get(lang)

    # -- tidy views --------------------------------------------------------------------------------------
    @cached_property
    def items(self) -> pd.DataFrame:
        """One row per item: id, construct, text_zh, text_en, scale, min, max, reverse, aliases, source."""
        scales = self.scales
        rows = []
        for item in self.spec.items:
            scale = scales[item.scale]
            rows.append(
                {
                    "id": item.id,
                    "construct": item.construct,
                    "text_zh": item.text_zh,
                    "text_en": item.text_en,
                    "scale": item.scale,
                    "min": scale.min,
                    "max": scale.max,
                    "reverse": item.reverse,
                    "aliases": list(item.aliases),
                    "source": item.source,
                }
            )
        return pd.DataFrame(rows)

    @cached_property
    def constructs(self) -> pd.DataFrame:
        """One row per construct: id, name_zh, name_en, role, parent, n_items (0 for a second-order one)."""
        counts = pd.Series([i.construct for i in self.spec.items]).value_counts()
        return pd.DataFrame(
            [
                {
                    "id": c.id,
                    "name_zh": c.name.zh,
                    "name_en": c.name.en,
                    "role": c.role,
                    "parent": c.parent,
                    "n_items": int(counts.get(c.id, 0)),
                }
                for c in self.spec.constructs
            ]
        )

    @cached_property
    def fields(self) -> pd.DataFrame:
        """One row per non-item field: id, role, type, label_zh, label_en, unit, aliases, required."""
        return pd.DataFrame(
            [
                {
                    "id": f.id,
                    "role": f.role,
                    "type": f.type,
                    "label_zh": f.label.zh,
                    "label_en": f.label.en,
                    "unit": f.unit,
                    "aliases": list(f.aliases),
                    "required": f.required,
                }
                for f in self.spec.fields
            ],
            columns=["id", "role", "type", "label_zh", "label_en", "unit", "aliases", "required"],
        )

    @property
    def item_ids(self) -> list[str]:
        """Item ids in questionnaire order."""
        return [i.id for i in self.spec.items]

    @property
    def reverse_items(self) -> list[str]:
        """Ids of the reverse-keyed items."""
        return [i.id for i in self.spec.items if i.reverse]

    @cached_property
    def scales(self) -> dict[str, Scale]:
        """Scales by id."""
        return {s.id: s for s in self.spec.scales}

    def scale_of(self, item_id: str) -> Scale:
        """The response scale of one item."""
        for item in self.spec.items:
            if item.id == item_id:
                return self.scales[item.scale]
        raise KeyError(f"{item_id!r} is not an item of instrument {self.id!r}")

    def missing_codes(self, item_id: str | None = None) -> dict[int, Label]:
        """Codes meaning 'no answer': the instrument's, plus those of ``item_id``'s scale."""
        codes = dict(self.spec.missing_codes)
        if item_id is not None:
            codes.update(self.scale_of(item_id).missing_codes)
        return codes

    def field_ids(self, role: str) -> list[str]:
        """Ids of the fields with ``role`` (id, cluster, wave, group, demographic, duration, metadata, weight)."""
        return [f.id for f in self.spec.fields if f.role == role]

    def field(self, field_id: str) -> FieldSpec:
        """One field's specification."""
        for f in self.spec.fields:
            if f.id == field_id:
                return f
        raise KeyError(f"{field_id!r} is not a field of instrument {self.id!r}")

    @cached_property
    def column_aliases(self) -> dict[str, str]:
        """Column headers a survey file may use, mapped to item or field ids (ids map to themselves)."""
        mapping: dict[str, str] = {}
        for entry in [*self.spec.items, *self.spec.fields]:
            mapping[entry.id] = entry.id
            for alias in entry.aliases:
                mapping[alias] = entry.id
        return mapping

    # -- structure -----------------------------------------------------------------------------------------
    @cached_property
    def construct_items(self) -> dict[str, list[str]]:
        """First-order constructs (in questionnaire order) with their item ids."""
        out: dict[str, list[str]] = {}
        for c in self.spec.constructs:
            ids = [i.id for i in self.spec.items if i.construct == c.id]
            if ids:
                out[c.id] = ids
        return out

    @cached_property
    def second_order(self) -> dict[str, list[str]]:
        """Second-order constructs with their first-order facets."""
        out: dict[str, list[str]] = {}
        for c in self.spec.constructs:
            if c.parent is not None:
                out.setdefault(c.parent, []).append(c.id)
        return out

    def construct_of(self, item_id: str) -> str:
        """The first-order construct an item belongs to."""
        for item in self.spec.items:
            if item.id == item_id:
                return item.construct
        raise KeyError(f"{item_id!r} is not an item of instrument {self.id!r}")

    def construct_name(self, construct_id: str, lang: str = "en") -> str:
        """A construct's name in ``lang`` (in the other language when only one is given)."""
        for c in self.spec.constructs:
            if c.id == construct_id:
                return c.name.get(lang)
        raise KeyError(f"{construct_id!r} is not a construct of instrument {self.id!r}")

    def item_text(self, item_id: str, lang: str = "en") -> str:
        """An item's wording in ``lang`` (in the other language when the questionnaire gives only one)."""
        for item in self.spec.items:
            if item.id == item_id:
                if lang not in ("zh", "en"):
                    raise ValueError(f"lang must be 'zh' or 'en', not {lang!r}")
                return item.text(lang)
        raise KeyError(f"{item_id!r} is not an item of instrument {self.id!r}")

    @cached_property
    def warnings(self) -> list[str]:
        """Weaknesses that do not invalidate the instrument (e.g. constructs with fewer than 3 items)."""
        out = []
        for construct, ids in self.construct_items.items():
            if len(ids) < 3:
                out.append(
                    f"construct {construct!r} has {len(ids)} item(s): a CFA needs at least 3 indicators per factor "
                    "to be identified on its own"
                )
        for parent, facets in self.second_order.items():
            if len(facets) < 3:
                out.append(
                    f"second-order construct {parent!r} has {len(facets)} facet(s): it is identified only with "
                    "constraints or within a larger model"
                )
        return out

    def measurement_model(self, second_order: bool = True) -> str:
        """The instrument's CFA in lavaan syntax.

        Parameters
        ----------
        second_order : bool, default True
            Include second-order constructs (``RES =~ STAB + REC + ADP``); when False, facets are
            correlated first-order factors.

        Returns
        -------
        str
            One ``=~`` line per construct, facets' parents last.

        Examples
        --------
        >>> import resilience_stats as rs
        >>> print(rs.load_instrument("collaborative_resilience").measurement_model())  # doctest: +SKIP
        STRUCT =~ struct1 + struct2 + struct3 + struct4
        ...
        """
        lines = [f"{c} =~ " + " + ".join(ids) for c, ids in self.construct_items.items()]
        if second_order:
            lines += [f"{p} =~ " + " + ".join(facets) for p, facets in self.second_order.items()]
        return "\n".join(lines) + "\n"
