"""Questionnaires as data: the YAML schema, loading, and the lavaan measurement model of an instrument."""

from .instrument import Instrument
from .loading import bundled_dir, list_instruments, load_instrument
from .schema import Construct, FieldSpec, InstrumentSpec, Item, Label, Scale, Source, Text

__all__ = [
    "Construct",
    "FieldSpec",
    "Instrument",
    "InstrumentSpec",
    "Item",
    "Label",
    "Scale",
    "Source",
    "Text",
    "bundled_dir",
    "list_instruments",
    "load_instrument",
]
