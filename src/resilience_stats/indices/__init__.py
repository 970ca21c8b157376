"""Composite indices of communities: entropy, CRITIC, AHP and combined weights, TOPSIS, ranks, obstacle degree.

=================================  ===========================================================================
:func:`composite_index`            the whole analysis on a community-level table (:class:`CompositeIndexResult`)
:func:`community_indicators`       community (x wave) means of construct scores from a SurveyWave
:func:`ahp_weights`                AHP weights, CI and CR from a pairwise-comparison matrix
:mod:`.weights`                    the pure functions: min-max, entropy, CRITIC, TOPSIS, obstacle, combination
=================================  ===========================================================================

Examples
--------
>>> import resilience_stats as rs
>>> wave = rs.read_survey(rs.example_survey(n=400, waves=2, seed=2), "party_building_social_capital")
>>> res = rs.composite_index(wave, method="critic")
>>> sorted(res.scores.columns)[:3]
['closeness', 'community', 'd_neg']
"""

from .ahp import RANDOM_INDEX, AHPConsistencyWarning, AHPResult, ahp_weights
from .community import community_indicators, default_indicators
from .composite import METHODS, CompositeIndexResult, composite_index
from .weights import (
    critic_weights,
    entropy_weights,
    game_theory_combination,
    minmax,
    multiplicative_combination,
    obstacle_degree,
    topsis,
    vector_topsis,
)

__all__ = [
    "AHPConsistencyWarning",
    "AHPResult",
    "CompositeIndexResult",
    "METHODS",
    "RANDOM_INDEX",
    "ahp_weights",
    "community_indicators",
    "composite_index",
    "critic_weights",
    "default_indicators",
    "entropy_weights",
    "game_theory_combination",
    "minmax",
    "multiplicative_combination",
    "obstacle_degree",
    "topsis",
    "vector_topsis",
]
