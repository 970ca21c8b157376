"""Path diagram of a fitted CFA/SEM, laid out by us (no Graphviz needed), plus a Graphviz DOT export.

Layout
------
The *structural nodes* are the latent variables and the observed variables that take part in regressions.
Their columns (layers, left to right) come from the regression DAG: a node's layer is the length of the
longest path reaching it from an exogenous node, so party-building leadership sits left of social capital,
which sits left of resilience. A second-order factor is joined to its facets by its loadings: the facets go
right of it (like indicators of an outcome), or left of it when the second-order factor is purely exogenous
(a predictor that nothing predicts). Within a column nodes are ordered by the mean position of their
predecessors (fewer crossings). Item indicators are drawn next to their factor: left of first-column
factors, right of last-column factors, and in a row below factors of middle columns. Regressions that skip
a column are drawn as arcs passing above (or below) the columns in between.

No arrow crosses a box: every edge is checked against every node it does not join (:func:`edge_crossings`);
a straight arrow that would clip one (e.g. a regression passing an indicator row) is bent slightly, and an arc
that would (a covariance beside a column with indicators below it) bulges further out, the smallest change
that clears all boxes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError
from . import theme
from ._common import construct_label, display_width, estimates_frame, fmt_num, stars, tr, wrap

__all__ = ["edge_crossings", "path_diagram", "path_diagram_dot", "path_layout"]

_STD_COLUMNS = ("std_all", "std_lv", "est")


# ============================================================================================= model graph
@dataclass
class _Edge:
    src: str
    dst: str
    kind: str  # "loading" (item), "second_order", "regression", "covariance"
    value: float
    pvalue: float
    fixed: bool

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.src}->{self.dst}"


@dataclass
class _Graph:
    latent: list[str]
    structural: list[str]
    indicators: dict[str, list[str]]
    facets: dict[str, list[str]]
    edges: list[_Edge]
    r2: dict[str, float]
    layers: dict[str, int] = field(default_factory=dict)


def _graph(result: Any, std: str, group: Any, measurement: bool) -> _Graph:
    if std not in _STD_COLUMNS:
        raise ValueError(f"std must be one of {', '.join(_STD_COLUMNS)}, not {std!r}")
    est = estimates_frame(result, group)
    col = std if std in est.columns else "est"
    pcol = est["pvalue"] if "pvalue" in est.columns else pd.Series(np.nan, index=est.index)
    secol = est["se"] if "se" in est.columns else pd.Series(np.nan, index=est.index)
    latent = list(dict.fromkeys(est.loc[est["op"] == "=~", "lhs"]))
    lat = set(latent)
    indicators: dict[str, list[str]] = {}
    facets: dict[str, list[str]] = {}
    edges: list[_Edge] = []
    reg_nodes: list[str] = []
    for i, r in est.iterrows():
        op, lhs, rhs = r["op"], str(r["lhs"]), str(r["rhs"])
        fixed = not np.isfinite(secol[i]) or secol[i] == 0
        value, p = float(r[col]), float(pcol[i]) if np.isfinite(pcol[i]) else np.nan
        if op == "=~":
            if rhs in lat:
                facets.setdefault(lhs, []).append(rhs)
                edges.append(_Edge(lhs, rhs, "second_order", value, p, fixed))
            else:
                indicators.setdefault(lhs, []).append(rhs)
                if measurement:
                    edges.append(_Edge(lhs, rhs, "loading", value, p, fixed))
        elif op == "~":
            reg_nodes += [rhs, lhs]
            edges.append(_Edge(rhs, lhs, "regression", value, p, fixed))
        elif op == "~~" and lhs != rhs:
            edges.append(_Edge(lhs, rhs, "covariance", value, p, fixed))
    structural = list(dict.fromkeys([*latent, *reg_nodes]))
    nodes = set(structural) | ({i for its in indicators.values() for i in its} if measurement else set())
    # keep covariances between structural nodes only (item residual covariances would clutter the diagram)
    edges = [e for e in edges if e.kind != "covariance" or (e.src in structural and e.dst in structural)]
    edges = [e for e in edges if e.src in nodes and e.dst in nodes]
    r2_src = getattr(result, "r2", None)
    r2 = {str(k): float(v) for k, v in (r2_src.items() if isinstance(r2_src, pd.Series) else [])}
    if not structural:
        raise DataError("the result has no latent variables or regressions to draw")
    return _Graph(latent, structural, indicators, facets, edges, r2)


def _layers(g: _Graph) -> dict[str, int]:
    """Longest-path layering of the structural nodes (cycles broken at back edges)."""
    preds: dict[str, list[str]] = {n: [] for n in g.structural}
    incoming_reg = {e.dst for e in g.edges if e.kind == "regression"}
    outgoing_reg = {e.src for e in g.edges if e.kind == "regression"}
    for e in g.edges:
        if e.kind == "regression":
            preds[e.dst].append(e.src)
    for parent, facets in g.facets.items():
        exogenous_predictor = parent in outgoing_reg and parent not in incoming_reg
        for f in facets:
            if exogenous_predictor:
                preds[parent].append(f)
            else:
                preds[f].append(parent)
    layer: dict[str, int] = {}
    state: dict[str, int] = {}

    def visit(n: str) -> int:
        if n in layer:
            return layer[n]
        state[n] = 1
        best = 0
        for p in preds[n]:
            if state.get(p) == 1:  # back edge of a cycle (non-recursive model): ignore for layering
                continue
            best = max(best, visit(p) + 1)
        state[n] = 2
        layer[n] = best
        return best

    for n in g.structural:
        visit(n)
    # pull sources right next to their first successor (e.g. a covariate predicting only the outcome)
    succ: dict[str, list[str]] = {n: [] for n in g.structural}
    for n, ps in preds.items():
        for p in ps:
            succ[p].append(n)
    for n in g.structural:
        if not preds[n] and succ[n]:
            layer[n] = max(layer[n], min(layer[s] for s in succ[n]) - 1)
    return layer


# ============================================================================================= geometry
@dataclass
class _Node:
    name: str
    kind: str  # "latent" or "observed"
    x: float
    y: float
    w: float
    h: float
    label: str
    r2: float | None = None


_ITEM_W, _ITEM_H, _ITEM_PITCH, _ROW_GAP = 0.44, 0.2, 0.27, 0.14
_LAT_MIN_W, _LINE_H = 0.9, 0.115
_COL_GAP, _BLOCK_GAP, _SIDE_GAP, _BELOW_GAP = 1.0, 0.28, 0.8, 0.5


def _text_w(text: str, pt: float = 7.0) -> float:
    return max(display_width(line) for line in text.split("\n")) * 0.0075 * pt


def path_layout(result: Any, *, measurement: bool = True, std: str = "std_all", group: Any = None,
                labels: dict | None = None, instrument: Any = None, lang: str = "en",
                show_r2: bool = True) -> dict:
    """Node positions (inches) of the path diagram, without drawing.

    Returns
    -------
    dict
        ``nodes`` {name: dict(kind, x, y, w, h, label, r2, layer)}, ``edges`` (list of dicts: src, dst, kind,
        value, pvalue, fixed), ``layers`` {structural node: column}, ``side`` {factor: "left"/"right"/"below"}.

    Examples
    --------
    >>> lay = path_layout(fit, measurement=False)  # doctest: +SKIP
    >>> lay["layers"]  # doctest: +SKIP
    {'PBL': 0, 'NET': 1, 'NORM': 1, 'TRUST': 1, 'RES': 2, 'STAB': 3, 'REC': 3, 'ADP': 3}
    """
    g = _graph(result, std, group, measurement)
    layer = _layers(g)
    lat = set(g.latent)
    n_layers = max(layer.values()) + 1
    labels = dict(labels or {})

    def node_label(n: str) -> str:
        if n in labels:
            return labels[n]
        if n in lat and instrument is not None:
            return wrap(construct_label(instrument, n, lang), 14)
        return n

    nodes: dict[str, _Node] = {}
    for n in g.structural:
        text = node_label(n)
        r2 = g.r2.get(n) if show_r2 and n in g.r2 and (
            any(e.dst == n and e.kind in ("regression", "second_order") for e in g.edges)) else None
        if n in lat:
            lines = text.count("\n") + 1 + (1 if r2 is not None else 0)
            w = max(_LAT_MIN_W, _text_w(text) + 0.32)
            h = max(0.42, lines * _LINE_H + 0.2)
            nodes[n] = _Node(n, "latent", 0, 0, w, h, text, r2)
        else:
            w = max(0.5, _text_w(text) + 0.16)
            h = 0.3 + (_LINE_H if r2 is not None else 0)
            nodes[n] = _Node(n, "observed", 0, 0, w, h, text, r2)
    side: dict[str, str] = {}
    items: dict[str, list[str]] = {}
    if measurement:
        for f, its in g.indicators.items():
            if f not in nodes:
                continue
            items[f] = its
            if layer[f] == 0 and n_layers > 1:
                side[f] = "left"
            elif layer[f] == n_layers - 1:
                side[f] = "right" if n_layers > 1 else "left"
            else:
                side[f] = "below"

    def block_extent(n: str) -> tuple[float, float, float, float]:
        """(left, right, up, down) of a node's block around its centre."""
        nd = nodes[n]
        left = right = nd.w / 2
        up = down = nd.h / 2
        its = items.get(n, [])
        if its:
            if side[n] == "below":
                row = len(its) * _ITEM_W + (len(its) - 1) * _ROW_GAP
                left = right = max(nd.w / 2, row / 2)
                down = nd.h / 2 + _BELOW_GAP + _ITEM_H
            else:
                col_h = len(its) * _ITEM_PITCH
                up = down = max(nd.h / 2, col_h / 2)
                if side[n] == "left":
                    left = nd.w / 2 + _SIDE_GAP + _ITEM_W
                else:
                    right = nd.w / 2 + _SIDE_GAP + _ITEM_W
        return left, right, up, down

    columns: list[list[str]] = [[] for _ in range(n_layers)]
    for n in g.structural:
        columns[layer[n]].append(n)
    preds: dict[str, list[str]] = {n: [] for n in g.structural}
    for e in g.edges:
        if e.kind in ("regression", "second_order") and e.src in preds and e.dst in preds:
            preds[e.dst].append(e.src)
            preds[e.src].append(e.dst)  # neighbours in both directions for barycentres
    cov_pairs = [e for e in g.edges if e.kind == "covariance" and e.src in layer and e.dst in layer
                 and layer[e.src] == layer[e.dst]]
    bulges: dict[tuple[str, str], float] = {}
    col_left: dict[int, float] = {}
    col_right: dict[int, float] = {}
    x_prev_right = None
    for j, col in enumerate(columns):
        if j > 0:
            def bary(n: str, order=g.structural) -> tuple[float, int]:
                ys = [nodes[p].y for p in preds[n] if layer[p] < j]
                return (-float(np.mean(ys)) if ys else 0.0, order.index(n))

            col.sort(key=bary)
        ext = {n: block_extent(n) for n in col}
        left = max(e[0] for e in ext.values())
        right = max(e[1] for e in ext.values())
        total = sum(e[2] + e[3] for e in ext.values()) + _BLOCK_GAP * (len(col) - 1)
        y = total / 2
        for n in col:
            up, down = ext[n][2], ext[n][3]
            nodes[n].y = y - up
            y -= up + down + _BLOCK_GAP
        # covariances within the column: nested arcs beside it (right, or left when items are on the right)
        here = [e for e in cov_pairs if layer[e.src] == j]
        if here:
            to_right = not any(side.get(n) == "right" for n in col)
            half = right if to_right else left
            spans = sorted({round(abs(nodes[e.src].y - nodes[e.dst].y), 6) for e in here})
            boxes = _column_boxes(col, nodes, items, side)
            reach_by_rank: dict[int, float] = {}
            for e in sorted(here, key=lambda e: abs(nodes[e.src].y - nodes[e.dst].y)):
                rank = spans.index(round(abs(nodes[e.src].y - nodes[e.dst].y), 6))
                start = max(half + 0.14 + 0.2 * rank, reach_by_rank.get(rank - 1, 0.0) + 0.2)
                bulge = _clear_bulge(nodes[e.src], nodes[e.dst], start, 1 if to_right else -1,
                                     {k: v for k, v in boxes.items() if k not in (e.src, e.dst)})
                reach_by_rank[rank] = max(reach_by_rank.get(rank, 0.0), bulge)
                bulges[(e.src, e.dst)] = bulge * (1 if to_right else -1)
            reach = max(reach_by_rank.values()) + 0.22
            if to_right:
                right = max(right, reach)
            else:
                left = max(left, reach)
        x = 0.0 if x_prev_right is None else x_prev_right + _COL_GAP + left
        for n in col:
            nodes[n].x = x
        col_left[j], col_right[j] = x - left, x + right
        x_prev_right = x + right
    for f, its in items.items():
        nd = nodes[f]
        if side[f] == "below":
            row = len(its) * _ITEM_W + (len(its) - 1) * _ROW_GAP
            x0 = nd.x - row / 2 + _ITEM_W / 2
            yb = nd.y - nd.h / 2 - _BELOW_GAP - _ITEM_H / 2
            for k, it in enumerate(its):
                nodes[it] = _Node(it, "observed", x0 + k * (_ITEM_W + _ROW_GAP), yb, _ITEM_W, _ITEM_H, labels.get(it, it))
        else:
            xi = nd.x + (-1 if side[f] == "left" else 1) * (nd.w / 2 + _SIDE_GAP + _ITEM_W / 2)
            y0 = nd.y + (len(its) - 1) * _ITEM_PITCH / 2
            for k, it in enumerate(its):
                nodes[it] = _Node(it, "observed", xi, y0 - k * _ITEM_PITCH, _ITEM_W, _ITEM_H, labels.get(it, it))
    out_nodes = {n: {**vars(nd), "layer": layer.get(n)} for n, nd in nodes.items()}
    # vertical extent of each column (items included), for arcs that jump over columns
    col_top = {j: -np.inf for j in range(n_layers)}
    col_bot = {j: np.inf for j in range(n_layers)}
    for n, nd in out_nodes.items():
        j = layer.get(n)
        if j is None:
            owner = next((f for f, its in items.items() if n in its), None)
            j = layer.get(owner) if owner is not None and side.get(owner) == "below" else None
        if j is not None:
            col_top[j] = max(col_top[j], nd["y"] + nd["h"] / 2)
            col_bot[j] = min(col_bot[j], nd["y"] - nd["h"] / 2)
    edges = []
    for e in g.edges:
        if e.src not in nodes or e.dst not in nodes:
            continue
        a, b = out_nodes[e.src], out_nodes[e.dst]
        dx, dy = b["x"] - a["x"], b["y"] - a["y"]
        rad = 0.0
        if e.kind == "regression" and abs(layer[e.dst] - layer[e.src]) > 1:
            lo, hi = sorted((layer[e.src], layer[e.dst]))
            mid_y = (a["y"] + b["y"]) / 2
            up = max(col_top[j] for j in range(lo + 1, hi)) - mid_y + 0.22
            down = mid_y - min(col_bot[j] for j in range(lo + 1, hi)) + 0.22
            bulge = up if up <= down else -down  # over the top or under the bottom, whichever is shorter
            rad = -2 * bulge / dx if dx else 0.0
        elif e.kind == "covariance":
            length = float(np.hypot(dx, dy)) or 1.0
            if (e.src, e.dst) in bulges:
                bulge = bulges[(e.src, e.dst)]
                direction = np.array([np.sign(bulge), 0.0])
            else:
                bulge, direction = 0.3, np.array([0.0, 1.0])
            sign = np.sign(np.dot([dy, -dx], direction)) or 1.0
            rad = sign * 2 * abs(bulge) / length
        rad = _clear_rad(a, b, rad, {k: v for k, v in out_nodes.items() if k not in (e.src, e.dst)})
        ctrl = ((a["x"] + b["x"]) / 2 + rad * dy, (a["y"] + b["y"]) / 2 - rad * dx)
        pa = _boundary(a, ctrl if rad else (b["x"], b["y"]))
        pb = _boundary(b, ctrl if rad else (a["x"], a["y"]))
        if rad:
            t = 0.5
            c = ctrl
        else:
            c = ((pa[0] + pb[0]) / 2, (pa[1] + pb[1]) / 2)
            t = 0.5
            if e.kind == "loading":
                t = 0.66 if side.get(e.src) == "below" else 0.45
            ja, jb = layer.get(e.src), layer.get(e.dst)
            if e.kind == "regression" and ja is not None and jb is not None and jb == ja + 1 and pb[0] != pa[0]:
                gap_mid = (col_right[ja] + col_left[jb]) / 2  # label in the free middle of the column gap
                t = float(np.clip((gap_mid - pa[0]) / (pb[0] - pa[0]), 0.2, 0.8))
        px = (1 - t) ** 2 * pa[0] + 2 * t * (1 - t) * c[0] + t ** 2 * pb[0]
        py = (1 - t) ** 2 * pa[1] + 2 * t * (1 - t) * c[1] + t ** 2 * pb[1]
        edges.append(vars(e) | {"key": e.key, "rad": rad, "label_xy": (px, py)})
    return {"nodes": out_nodes, "edges": edges, "layers": dict(layer), "side": side, "items": items}


_CLEARANCE = 0.03  # inches kept between an arrow and a box it does not join


def _column_boxes(col: list[str], nodes: dict, items: dict, side: dict) -> dict:
    """The boxes of one column centred on x = 0: its nodes and the indicator rows drawn below them."""
    boxes = {n: {"x": 0.0, "y": nodes[n].y, "w": nodes[n].w, "h": nodes[n].h} for n in col}
    for n in col:
        its = items.get(n, [])
        if its and side.get(n) == "below":
            row = len(its) * _ITEM_W + (len(its) - 1) * _ROW_GAP
            yb = nodes[n].y - nodes[n].h / 2 - _BELOW_GAP - _ITEM_H / 2
            boxes[f"{n}:items"] = {"x": 0.0, "y": yb, "w": row, "h": _ITEM_H}
    return boxes


def _clear_bulge(a: Any, b: Any, start: float, sign: int, others: dict) -> float:
    """The smallest bulge from ``start`` up whose covariance arc (centre to centre, beside the column) passes
    through none of ``others`` (column-relative boxes)."""
    t = np.linspace(0.0, 1.0, 400)
    ys = a.y + (b.y - a.y) * t
    bulge = start
    for _ in range(60):
        pts = np.column_stack([sign * 4 * bulge * t * (1 - t), ys])
        if not _hits(pts, others):
            return bulge
        bulge += 0.05
    return start


def _curve(a: dict, b: dict, rad: float, n: int = 400) -> np.ndarray:
    """Points of the arc3 curve (matplotlib's ``connectionstyle="arc3,rad=..."``) from a's centre to b's."""
    dx, dy = b["x"] - a["x"], b["y"] - a["y"]
    ctrl = np.array([(a["x"] + b["x"]) / 2 + rad * dy, (a["y"] + b["y"]) / 2 - rad * dx])
    t = np.linspace(0.0, 1.0, n)[:, None]
    return (1 - t) ** 2 * np.array([a["x"], a["y"]]) + 2 * t * (1 - t) * ctrl + t ** 2 * np.array([b["x"], b["y"]])


def _hits(points: np.ndarray, others: dict) -> list[str]:
    """Names of the nodes (boxes and ellipses, with a small clearance) that ``points`` pass through."""
    hit = []
    for name, nd in others.items():
        inside = ((np.abs(points[:, 0] - nd["x"]) < nd["w"] / 2 + _CLEARANCE)
                  & (np.abs(points[:, 1] - nd["y"]) < nd["h"] / 2 + _CLEARANCE))
        if inside.any():
            hit.append(name)
    return hit


def _clear_rad(a: dict, b: dict, rad: float, others: dict) -> float:
    """The curvature closest to ``rad`` whose curve passes through none of ``others`` (``rad`` itself when
    none does): a straight arrow is bent a little either way, an arc bulges further in its own direction."""
    if not _hits(_curve(a, b, rad), others):
        return rad
    if rad == 0:
        candidates = [sign * k * 0.04 for k in range(1, 13) for sign in (1, -1)]
    else:
        candidates = [rad * (1 + 0.1 * k) for k in range(1, 31)]
    for cand in candidates:
        if not _hits(_curve(a, b, cand), others):
            return cand
    return rad


def edge_crossings(layout: dict) -> list[tuple[str, str]]:
    """(edge key, node) pairs of arrows of :func:`path_layout` that pass through a box they do not join.

    Examples
    --------
    >>> edge_crossings(path_layout(fit))  # doctest: +SKIP
    []
    """
    nodes = layout["nodes"]
    out = []
    for e in layout["edges"]:
        others = {k: v for k, v in nodes.items() if k not in (e["src"], e["dst"])}
        out += [(e["key"], n) for n in _hits(_curve(nodes[e["src"]], nodes[e["dst"]], e["rad"]), others)]
    return out


def _boundary(nd: dict, toward: tuple[float, float]) -> tuple[float, float]:
    """Point where the ray from the node's centre toward ``toward`` leaves the node's shape."""
    dx, dy = toward[0] - nd["x"], toward[1] - nd["y"]
    if dx == 0 and dy == 0:
        return nd["x"], nd["y"]
    a, b = nd["w"] / 2, nd["h"] / 2
    if nd["kind"] == "latent":
        t = 1.0 / np.sqrt((dx / a) ** 2 + (dy / b) ** 2)
    else:
        t = min(a / abs(dx) if dx else np.inf, b / abs(dy) if dy else np.inf)
    return nd["x"] + t * dx, nd["y"] + t * dy


def _edge_text(e: dict, digits: int, alpha: float) -> str:
    s = fmt_num(e["value"], digits)
    if not e["fixed"]:
        s += stars(e["pvalue"]) if np.isfinite(e["pvalue"]) and e["pvalue"] < alpha else ""
    return s


def _nonsig(e: dict, alpha: float) -> bool:
    return (not e["fixed"]) and np.isfinite(e["pvalue"]) and e["pvalue"] >= alpha


# ============================================================================================= drawing
def path_diagram(
    result: Any,
    *,
    measurement: bool = True,
    std: str = "std_all",
    lang: str = "en",
    instrument: Any = None,
    labels: dict | None = None,
    alpha: float = 0.05,
    digits: int = 2,
    covariances: bool = True,
    loading_labels: bool = True,
    show_r2: bool = True,
    note: bool = True,
    group: Any = None,
    width: float | str | None = "double",
):
    """Path diagram of a fitted CFA/SEM: ellipses for latent variables, rectangles for observed ones.

    Arrows carry the standardized coefficients with significance stars; non-significant paths are dashed;
    endogenous variables show their R-squared. The layered left-to-right layout is computed here (see the
    module docstring), no Graphviz needed; :func:`path_diagram_dot` writes the same diagram as DOT text.

    Parameters
    ----------
    result : SEMResult
        A fitted :func:`~resilience_stats.sem.sem` / :func:`~resilience_stats.sem.cfa` (or a bootstrap result, or
        an estimates DataFrame: lhs, op, rhs, est, se, pvalue and the ``std`` column).
    measurement : bool, default True
        Draw the item indicators and their loadings; False gives the structural diagram (latent variables,
        second-order loadings, regressions, covariances).
    std : {"std_all", "std_lv", "est"}
        Coefficients printed on the arrows.
    lang : {"en", "zh"}
    instrument : Instrument, optional
        Latent variables are labelled with the construct names in ``lang`` (ids otherwise).
    labels : dict, optional
        Node labels by variable name (override the instrument).
    alpha : float, default 0.05
        Paths with p >= alpha are dashed and get no star.
    digits : int, default 2
    covariances : bool, default True
        Draw covariances between structural variables (curved double-headed arrows, gray).
    loading_labels : bool, default True
        Print the item loadings.
    show_r2 : bool, default True
        Print R-squared inside endogenous structural variables.
    note : bool, default True
        Add the note explaining stars and dashes.
    group : optional
        The group to draw for a multi-group fit (default: the first).
    width : "single", "double", float or None
        Figure width; the diagram (text included) is scaled down to fit, never up. None keeps the natural size.

    Returns
    -------
    matplotlib.figure.Figure
        One axes. Patches and texts carry gids: ``node:<name>``, ``edge:<kind>:<src>-><dst>``,
        ``label:<kind>:<src>-><dst>`` (kind: regression, loading, second_order, covariance), ``r2:<name>``.

    Examples
    --------
    >>> from resilience_stats.sem import sem
    >>> fit = sem(rs.models.get("chen_zhang").syntax, wave)  # doctest: +SKIP
    >>> fig = rs.plots.path_diagram(fit, measurement=False, instrument=wave.instrument, lang="zh")  # doctest: +SKIP
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Ellipse, FancyArrowPatch, FancyBboxPatch

    with theme.plot_context(lang, **{"figure.constrained_layout.use": False}) as lang:
        lay = path_layout(result, measurement=measurement, std=std, group=group, labels=labels,
                          instrument=instrument, lang=lang, show_r2=show_r2)
        nodes, edges, layers, side = lay["nodes"], lay["edges"], lay["layers"], lay["side"]
        xs = [nd["x"] - nd["w"] / 2 for nd in nodes.values()] + [nd["x"] + nd["w"] / 2 for nd in nodes.values()]
        ys = [nd["y"] - nd["h"] / 2 for nd in nodes.values()] + [nd["y"] + nd["h"] / 2 for nd in nodes.values()]
        x0, x1, y0, y1 = min(xs) - 0.15, max(xs) + 0.15, min(ys) - 0.15, max(ys) + 0.15

        geoms = [(e, e["rad"], e["label_xy"]) for e in edges if e["kind"] != "covariance" or covariances]
        for e, rad, (px, py) in geoms:
            if rad:
                y0, y1 = min(y0, py - 0.12), max(y1, py + 0.12)
                x0, x1 = min(x0, px - 0.25), max(x1, px + 0.25)
        note_h = 0.3 if note else 0.0
        y0 -= note_h
        nat_w, nat_h = x1 - x0, y1 - y0
        target = None if width is None else theme.figsize(width)[0]
        scale = 1.0 if target is None else min(1.0, target / nat_w)
        fig = plt.figure(figsize=(nat_w * scale, nat_h * scale))
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        ax.set_aspect("equal")
        ax.set_axis_off()
        fs = lambda pt: max(4.0, pt * scale)  # noqa: E731
        lw = lambda w: max(0.3, w * scale)  # noqa: E731

        patches = {}
        for n, nd in nodes.items():
            if nd["kind"] == "latent":
                p = Ellipse((nd["x"], nd["y"]), nd["w"], nd["h"], facecolor="white", edgecolor=theme.DARK,
                            linewidth=lw(0.9), zorder=3)
            else:
                pad = 0.02
                p = FancyBboxPatch((nd["x"] - nd["w"] / 2 + pad, nd["y"] - nd["h"] / 2 + pad), nd["w"] - 2 * pad,
                                   nd["h"] - 2 * pad, boxstyle=f"square,pad={pad}", facecolor="white",
                                   edgecolor=theme.DARK, linewidth=lw(0.7), zorder=3)
            p.set_gid(f"node:{n}")
            ax.add_patch(p)
            patches[n] = p
            is_item = nd["layer"] is None
            if nd["r2"] is not None:
                ax.text(nd["x"], nd["y"] + _LINE_H / 2, nd["label"], ha="center", va="center", fontsize=fs(7),
                        zorder=4, gid=f"text:{n}")
                ax.text(nd["x"], nd["y"] - (nd["label"].count("\n") + 1) * _LINE_H / 2 - 0.02,
                        f"R² = {fmt_num(nd['r2'], digits, lead_zero=False)}", ha="center", va="center",
                        fontsize=fs(6), style="italic", color=theme.DARK, zorder=4, gid=f"r2:{n}")
            else:
                ax.text(nd["x"], nd["y"], nd["label"], ha="center", va="center", fontsize=fs(6 if is_item else 7),
                        zorder=4, gid=f"text:{n}")

        for e, rad, (px, py) in geoms:
            kind = e["kind"]
            dashed = _nonsig(e, alpha)
            color = theme.GRAY if kind == "covariance" else theme.DARK
            style = "<|-|>" if kind == "covariance" else "-|>"
            arrow = FancyArrowPatch(
                (nodes[e["src"]]["x"], nodes[e["src"]]["y"]), (nodes[e["dst"]]["x"], nodes[e["dst"]]["y"]),
                patchA=patches[e["src"]], patchB=patches[e["dst"]], arrowstyle=style,
                mutation_scale=fs(7), shrinkA=1, shrinkB=1.5, connectionstyle=f"arc3,rad={rad:.4f}",
                linestyle=(0, (3, 2)) if dashed else "-", linewidth=lw(0.6 if kind == "loading" else 0.8),
                color=color, zorder=2,
            )
            arrow.set_gid(f"edge:{e['key']}")
            ax.add_patch(arrow)
            if kind == "loading" and not loading_labels:
                continue
            ax.text(px, py, _edge_text(e, digits, alpha), ha="center", va="center",
                    fontsize=fs(5.5 if kind in ("loading", "covariance") else 6.5), color=color, zorder=5,
                    bbox={"boxstyle": "square,pad=0.08", "facecolor": "white", "edgecolor": "none"},
                    gid=f"label:{e['key']}")
        if note:
            what = {"std_all": {"en": "Standardized estimates", "zh": "标准化估计值"},
                    "std_lv": {"en": "Estimates (latent variables standardized)", "zh": "估计值（潜变量标准化）"},
                    "est": {"en": "Unstandardized estimates", "zh": "非标准化估计值"}}[std][lang]
            sep = "；" if lang == "zh" else "; "
            ax.text(x0 + 0.05, y0 + 0.05, what + sep + tr("stars_note", lang) + sep + tr("ns_note", lang, a=alpha),
                    ha="left", va="bottom", fontsize=fs(6), color=theme.DARK, gid="note")
    return fig


# ============================================================================================= DOT export
def _q(s: str) -> str:
    return '"' + str(s).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def path_diagram_dot(
    result: Any,
    *,
    measurement: bool = True,
    std: str = "std_all",
    lang: str = "en",
    instrument: Any = None,
    labels: dict | None = None,
    alpha: float = 0.05,
    digits: int = 2,
    covariances: bool = True,
    show_r2: bool = True,
    group: Any = None,
    fontname: str | None = None,
) -> str:
    """The path diagram as Graphviz DOT text (render with ``dot -Tpdf model.dot -o model.pdf``).

    Same content and column assignment as :func:`path_diagram` (``rank=same`` per column, left to right);
    Graphviz is not needed to produce the text.

    Parameters
    ----------
    result, measurement, std, lang, instrument, labels, alpha, digits, covariances, show_r2, group
        As in :func:`path_diagram`.
    fontname : str, optional
        Font for Graphviz (default "Helvetica"; "Noto Sans CJK SC" for ``lang="zh"``).

    Returns
    -------
    str
        A ``digraph``: latent variables ``shape=ellipse``, observed ``shape=box``, one edge statement per path,
        non-significant paths ``style=dashed``, covariances ``dir=both``.

    Examples
    --------
    >>> dot = rs.plots.path_diagram_dot(fit, measurement=False)  # doctest: +SKIP
    >>> Path("model.dot").write_text(dot, encoding="utf-8")  # doctest: +SKIP
    """
    from .fonts import check_lang

    check_lang(lang)  # DOT text needs no font on this machine: Chinese is written as is
    lay = path_layout(result, measurement=measurement, std=std, group=group, labels=labels, instrument=instrument,
                      lang=lang, show_r2=show_r2)
    nodes, layers, side = lay["nodes"], lay["layers"], lay["side"]
    font = fontname or ("Noto Sans CJK SC" if lang == "zh" else "Helvetica")
    out = [
        "digraph SEM {",
        f"  graph [rankdir=LR, splines=true, nodesep=0.25, ranksep=0.9, fontname={_q(font)}];",
        f"  node [fontname={_q(font)}, fontsize=10, penwidth=0.8];",
        f"  edge [fontname={_q(font)}, fontsize=8, arrowsize=0.6, penwidth=0.8];",
    ]
    for n, nd in nodes.items():
        label = nd["label"] if nd["r2"] is None else nd["label"] + f"\nR² = {fmt_num(nd['r2'], digits, lead_zero=False)}"
        shape = "ellipse" if nd["kind"] == "latent" else "box"
        out.append(f"  {_q(n)} [shape={shape}, label={_q(label)}];")
    n_layers = max(layers.values()) + 1
    for j in range(n_layers):
        members = [n for n, l in layers.items() if l == j]
        out.append("  { rank=same; " + " ".join(_q(n) + ";" for n in members) + " }")
    for f, its in lay["items"].items():
        if side[f] in ("left", "right"):
            out.append("  { rank=same; " + " ".join(_q(n) + ";" for n in its) + " }")
    for e in lay["edges"]:
        if e["kind"] == "covariance" and not covariances:
            continue
        attrs = [f"label={_q(_edge_text(e, digits, alpha))}"]
        if _nonsig(e, alpha):
            attrs.append("style=dashed")
        src, dst = e["src"], e["dst"]
        if e["kind"] == "covariance":
            attrs += ["dir=both", "constraint=false", "color=gray40", "fontcolor=gray40"]
        elif e["kind"] == "loading" and side.get(src) == "left":
            src, dst = dst, src  # keep the item left of its factor: reversed edge drawn with its head at the item
            attrs.append("dir=back")
        elif e["kind"] == "second_order" and layers.get(e["dst"], 0) < layers.get(e["src"], 0):
            src, dst = dst, src
            attrs.append("dir=back")
        out.append(f"  {_q(src)} -> {_q(dst)} [{', '.join(attrs)}];")
    out.append("}")
    return "\n".join(out) + "\n"
