"""Boolean minimization of a truth table: prime implicants, the prime-implicant chart and its minimal covers,
and the easy counterfactuals of the intermediate solution.

Our own code, written from the method (Quine 1952; McCluskey 1956; Ragin 1987, 2008; Ragin & Sonnett 2005;
Dusa 2019, ch. 8). A maintained Python dependency was tried first: pyqca 0.2.0 (PyPI) was run on this
package's golden cases from R's QCA 3.21 and did not pass them: it returns one model where R reports model
ambiguity (Lipset LF with ``n.cut = 2``: two parsimonious models) and applies the PRI cut differently (LF with
``incl.cut = pri.cut = .7``: one configuration instead of two). No other maintained package computes the
intermediate solution.

Configurations and implicants are binary *cubes*. A configuration (truth-table row ``r``, 0-based) is the
integer whose bits are the conditions' values, the first condition the most significant bit. A cube is a pair
``(mask, value)``: the bits of ``mask`` are the conditions that appear, ``value`` their values; it contains the
configurations ``c`` with ``c & mask == value``.

* **Prime implicants** are found level by level (cubes with 0, 1, 2, ... literals, as R's CCubes does): a
  candidate is a projection of a positive configuration onto a set of conditions; it is an implicant when it
  contains no configuration of the OFF set; it is prime when no implicant found at a lower level contains it.
  For the complex (conservative) solution the OFF set is every configuration that is not positive (remainders
  are not used), which is Quine-McCluskey on the positive rows; for the parsimonious solution it is the
  negative and contradictory rows (every remainder may be used: the simplifying assumptions).
* **The chart** lists which positive rows each prime implicant covers. Its solutions are all covers with the
  smallest number of prime implicants (R's ``minimize(all.sol = FALSE)``), found by depth-first search over the
  least-covered row.
* **The intermediate solution** (R's ``minimize(include = "?", dir.exp = ...)``): for every pair of a complex
  model and a parsimonious model, each complex term is paired with each parsimonious term it implies; the
  literals of the complex term that are not in the parsimonious term and contradict the directional
  expectation are dropped, and the remainders (simplifying assumptions of the parsimonious model) contained in
  the result are the *easy counterfactuals*. The positive rows plus the easy counterfactuals are then
  minimized as for the complex solution.
"""

from __future__ import annotations

from itertools import combinations
from typing import Sequence

import numpy as np

from ..errors import DataError

__all__ = [
    "cube_term",
    "covered_rows",
    "easy_counterfactuals",
    "minimal_covers",
    "prime_implicants",
    "r_order",
    "term_cube",
]


def cube_term(mask: int, value: int, k: int) -> tuple[int, ...]:
    """The term tuple (1 present, 0 negated, -1 absent) of a cube over ``k`` conditions."""
    out = []
    for j in range(k):
        bit = 1 << (k - 1 - j)
        out.append((1 if value & bit else 0) if mask & bit else -1)
    return tuple(out)


def term_cube(term: Sequence[int]) -> tuple[int, int]:
    """The cube ``(mask, value)`` of a term tuple."""
    k = len(term)
    mask = value = 0
    for j, v in enumerate(term):
        if v >= 0:
            bit = 1 << (k - 1 - j)
            mask |= bit
            if v == 1:
                value |= bit
    return mask, value


def r_order(terms: Sequence[Sequence[int]]) -> list[int]:
    """The positions of ``terms`` in the order R's QCA lists prime implicants (its C ``sort_cols``).

    Condition by condition from the last to the first: a stable sort putting ``X`` before ``~X`` before an
    absent condition, then, among the terms in which the condition appears, ``~X`` before ``X`` -- except that
    when the condition appears in every term the last term is left out of this second step (a quirk of R's
    code, kept so that terms are listed as R lists them); finally a stable sort by the number of literals.
    """
    code = [[{1: 2, 0: 1, -1: 0}[v] for v in t] for t in terms]
    order = list(range(len(terms)))
    k = len(code[0]) if code else 0
    for i in reversed(range(k)):
        order.sort(key=lambda r: -code[r][i])
        first_zero = next((p for p, r in enumerate(order) if code[r][i] == 0), len(order) - 1)
        order[:first_zero] = sorted(order[:first_zero], key=lambda r: code[r][i])
    order.sort(key=lambda r: sum(v > 0 for v in code[r]))
    return order


def prime_implicants(k: int, on: Sequence[int], off: Sequence[int] | None = None) -> list[tuple[int, int]]:
    """Prime implicants (cubes) of the positive configurations ``on`` that contain no configuration of ``off``.

    ``off=None`` means every configuration that is not in ``on`` (no remainder may be used).

    Raises
    ------
    DataError
        The empty term is an implicant (nothing is negative): every condition is minimized away.
    """
    on_arr = np.asarray(sorted(set(int(r) for r in on)), dtype=np.int64)
    off_arr = None if off is None else np.asarray(sorted(set(int(r) for r in off)), dtype=np.int64)
    found: list[tuple[int, int]] = []
    bits = [1 << (k - 1 - j) for j in range(k)]
    for size in range(0, k + 1):
        for combo in combinations(range(k), size):
            mask = sum(bits[j] for j in combo)
            for value in np.unique(on_arr & mask):
                value = int(value)
                if any((m & mask) == m and (value & m) == v for m, v in found):
                    continue
                if off_arr is None:
                    ok = int(np.count_nonzero((on_arr & mask) == value)) == 1 << (k - size)
                else:
                    ok = not bool(np.any((off_arr & mask) == value))
                if ok:
                    found.append((mask, value))
        if size == 0 and found:
            raise DataError("all truth table configurations are used: every condition is minimized away (no "
                            "negative configuration constrains the solution); check the truth table")
    return found


def covered_rows(cube: tuple[int, int], rows: Sequence[int]) -> list[int]:
    """The rows (0-based configurations) a cube contains."""
    mask, value = cube
    return [r for r in rows if (r & mask) == value]


def minimal_covers(chart: Sequence[int], full: int) -> list[tuple[int, ...]]:
    """All covers of the columns ``full`` (a bit mask) with the fewest rows of ``chart`` (bit masks per prime
    implicant), each as a sorted tuple of row indices, in lexicographic order.

    Raises
    ------
    DataError
        A column no prime implicant covers.
    """
    if full and (full & ~_union(chart)):
        raise DataError("the prime implicant chart cannot be solved: a positive row is covered by no implicant")
    columns: list[int] = []
    probe = full
    while probe:
        low = probe & -probe
        columns.append(low)
        probe ^= low
    covering = {c: [i for i, m in enumerate(chart) if m & c] for c in columns}
    for size in range(1, len(chart) + 1):
        found: set[tuple[int, ...]] = set()
        _search(chart, full, covering, size, (), 0, found)
        if found:
            return sorted(found)
    return []


def _union(masks: Sequence[int]) -> int:
    out = 0
    for m in masks:
        out |= m
    return out


def _search(chart, full, covering, size, chosen, covered, found) -> None:
    if covered == full:
        found.add(tuple(sorted(chosen)))
        return
    if len(chosen) == size:
        return
    uncovered = full & ~covered
    # branch on the uncovered column with the fewest covering implicants
    best = None
    probe = uncovered
    while probe:
        low = probe & -probe
        if best is None or len(covering[low]) < len(covering[best]):
            best = low
        probe ^= low
    for i in covering[best]:
        if i not in chosen:
            _search(chart, full, covering, size, chosen + (i,), covered | chart[i], found)


def easy_counterfactuals(
    complex_terms: Sequence[tuple[int, ...]],
    pars_terms: Sequence[tuple[int, ...]],
    direction: Sequence[int],
    assumptions: Sequence[int],
) -> list[int]:
    """The simplifying assumptions (0-based configurations) that are easy counterfactuals.

    ``direction`` holds per condition the expected value (1 present, 0 absent) or -1 (no expectation).
    """
    regions = []
    for c in complex_terms:
        for p in pars_terms:
            if not all(pv < 0 or pv == cv for pv, cv in zip(p, c)):
                continue  # the complex term does not imply this parsimonious term
            kept = tuple(cv if (cv < 0 or pv >= 0 or d < 0 or d == cv) else -1
                         for cv, pv, d in zip(c, p, direction))
            regions.append(term_cube(kept))
    return [r for r in assumptions if any((r & m) == v for m, v in regions)]
