"""The seed frameworks as ready lavaan models, each tied to a bundled instrument.

>>> import resilience_stats as rs
>>> rs.models.list()
['chen_zhang', 'chen_zhang_facets', 'xiao']
>>> m = rs.models.get("chen_zhang")
>>> m.instrument
'party_building_social_capital'
"""

from __future__ import annotations

from .frameworks import FrameworkModel, get, list_models

list = list_models  # noqa: A001 - rs.models.list() is the documented name

__all__ = ["FrameworkModel", "get", "list", "list_models"]
