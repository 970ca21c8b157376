"""Framework models of the two seed papers, written as lavaan syntax over a bundled instrument.

- ``chen_zhang`` (Chen & Zhang 2025): party-building leadership (PBL) strengthens the three elements of
  community social capital — relationship networks (NET), social norms (NORM), social trust (TRUST) — which
  carry its effect to community resilience (RES, a second-order factor of stability, recovery and
  adaptation).  The direct path, each specific indirect effect and the total indirect effect are ``:=``
  parameters.
- ``chen_zhang_facets``: the same theory with the three resilience capacities as correlated first-order
  outcomes instead of one second-order factor.
- ``xiao`` (Xiao 2025): party-led structure (STRUCT), resource integration (RESO) and emotional bonds (EMO)
  each lead to structural (SRES), capacity (CRES) and cultural (CURES) resilience; within the framework a
  flattened structure enables resource integration, and both feed residents' emotional bonds.
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass

from ..errors import ResilienceStatsError


@dataclass(frozen=True)
class FrameworkModel:
    """A named framework model.

    Attributes
    ----------
    name : str
        The model's name in :func:`get`.
    instrument : str
        The bundled instrument whose items it measures.
    syntax : str
        The full lavaan model (measurement and structural parts, ``:=`` effects).
    structural : str
        The structural part alone (regressions, residual covariances, defined effects).
    description : str
        What the model says, in a sentence or two.
    citation : str
        The paper the paths come from.
    """

    name: str
    instrument: str
    syntax: str
    structural: str
    description: str
    citation: str

    def __str__(self) -> str:
        return self.syntax


_CHEN = (
    "Chen, J., & Zhang, Y. Z. H. (2025). 基层党建引领提升社区韧性：城市社会治理创新研究 "
    "[Party-building leadership enhancing community resilience: urban social governance innovation]."
)
_XIAO = (
    "Xiao, Y. (2025). 协同视角下党建引领城市社区韧性治理的实现机制研究 [The realization mechanism of party "
    "building leading urban community resilient governance from a collaborative perspective]. Advances in "
    "Social Sciences, 14(11), 314-322. https://doi.org/10.12677/ass.2025.14111001"
)

_CHEN_STRUCTURAL = """\
# social capital elements led by party building
NET ~ a1*PBL
NORM ~ a2*PBL
TRUST ~ a3*PBL
# resilience: direct path and paths through social capital
RES ~ c*PBL + b1*NET + b2*NORM + b3*TRUST
# the three elements share causes beyond party building
NET ~~ NORM + TRUST
NORM ~~ TRUST
# effects
ind_net := a1*b1
ind_norm := a2*b2
ind_trust := a3*b3
ind_total := ind_net + ind_norm + ind_trust
total := c + ind_total
"""

_CHEN_FACETS_STRUCTURAL = """\
NET ~ a1*PBL
NORM ~ a2*PBL
TRUST ~ a3*PBL
STAB ~ PBL + NET + NORM + TRUST
REC ~ PBL + NET + NORM + TRUST
ADP ~ PBL + NET + NORM + TRUST
NET ~~ NORM + TRUST
NORM ~~ TRUST
STAB ~~ REC + ADP
REC ~~ ADP
"""

_XIAO_STRUCTURAL = """\
# structure -> resources -> emotion within the party-led collaboration
RESO ~ s1*STRUCT
EMO ~ s2*STRUCT + s3*RESO
# each element leads to each dimension of resilience
SRES ~ STRUCT + RESO + EMO
CRES ~ STRUCT + RESO + EMO
CURES ~ STRUCT + RESO + EMO
SRES ~~ CRES + CURES
CRES ~~ CURES
# structure's effect on emotional bonds through resource integration
ind_struct_reso_emo := s1*s3
total_struct_emo := s2 + s1*s3
"""

_SPECS = {
    "chen_zhang": (
        "party_building_social_capital",
        True,
        _CHEN_STRUCTURAL,
        "Party-building leadership -> relationship networks, social norms, social trust -> community resilience "
        "(second-order: stability, recovery, adaptation), with direct, specific indirect and total effects.",
        _CHEN,
    ),
    "chen_zhang_facets": (
        "party_building_social_capital",
        False,
        _CHEN_FACETS_STRUCTURAL,
        "Chen & Zhang's paths with stability, recovery and adaptation as correlated first-order outcomes.",
        _CHEN,
    ),
    "xiao": (
        "collaborative_resilience",
        False,
        _XIAO_STRUCTURAL,
        "Party-led structure, resource integration and emotional bonds -> structural, capacity and cultural "
        "resilience, with structure -> resources -> emotion inside the collaboration.",
        _XIAO,
    ),
}


def list_models() -> builtins.list[str]:
    """Names of the framework models."""
    return sorted(_SPECS)


def get(name: str) -> FrameworkModel:
    """A framework model by name (see :func:`list_models`).

    Examples
    --------
    >>> import resilience_stats as rs
    >>> "ind_total :=" in rs.models.get("chen_zhang").syntax
    True
    """
    from ..instruments import load_instrument

    if name not in _SPECS:
        raise ResilienceStatsError(f"unknown framework model {name!r}; choose one of {', '.join(list_models())}")
    instrument, second_order, structural, description, citation = _SPECS[name]
    measurement = load_instrument(instrument).measurement_model(second_order=second_order)
    syntax = "# measurement model\n" + measurement + "# structural model\n" + structural
    return FrameworkModel(name, instrument, syntax, structural, description, citation)
