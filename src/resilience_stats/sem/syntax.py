"""lavaan model syntax -> flat statements -> parameter table.

The parameter table (a :class:`pandas.DataFrame`, one row per parameter) is the spine of the SEM engine, as in
lavaan: every later step (model matrices, estimation, standard errors, standardization) reads and writes it.

Supported syntax: ``=~``, ``~``, ``~~``, ``~ 1``, ``:=`` (defined parameters), ``==`` (equality constraints
between labels, or a label and a number), modifiers ``a*x`` (label), ``1*x`` / ``0*x`` (fixed value),
``NA*x`` (free), ``start(0.5)*x`` (starting value), ``c(a1, a2)*x`` (group-specific modifiers), comments
``#`` and ``!``, several statements per line separated by ``;``, formulas continued on the next line after a
trailing operator.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import ModelSpecificationError, ModelSyntaxError

__all__ = [
    "Token",
    "Modifier",
    "Formula",
    "ParsedModel",
    "tokenize",
    "parse_model",
    "parse_expression",
    "eval_expression",
    "expression_labels",
    "build_partable",
    "VariableNames",
    "variable_names",
]

# --------------------------------------------------------------------------------------------- tokenizer

_TOKEN_RE = re.compile(
    r"""
    (?P<ws>[ \t\r]+)
  | (?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<name>[A-Za-z_.][A-Za-z0-9_.]*)
  | (?P<str>"[^"\n]*"|'[^'\n]*')
  | (?P<op>=~|~\*~|~~|<~|:=|==|<=|>=|~|<|>|\||%|\+|-|\*|/|\^|\(|\)|,)
    """,
    re.VERBOSE,
)


@dataclass(frozen=True)
class Token:
    """One lexical token with its 1-based source line and column."""

    kind: str  # "num", "name", "str", "op"
    text: str
    line: int
    col: int


def _strip_comment(line: str) -> str:
    """Remove a ``#`` or ``!`` comment (outside quotes) from one source line."""
    quote = None
    for i, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "\"'":
            quote = ch
        elif ch in "#!":
            return line[:i]
    return line


def tokenize(model: str) -> list[list[Token]]:
    """Split model syntax into statements, each a list of tokens.

    Statements end at a newline or ``;``; a statement whose last token is an operator (``+``, ``*``, ``=~`` ...)
    continues on the next line, as does a line that starts with ``+``.

    Examples
    --------
    >>> [[t.text for t in s] for s in tokenize("f =~ x1 + x2; f ~~ f")]
    [['f', '=~', 'x1', '+', 'x2'], ['f', '~~', 'f']]
    """
    if not isinstance(model, str):
        raise ModelSyntaxError(f"model syntax must be a string, got {type(model).__name__}")
    statements: list[list[Token]] = []
    current: list[Token] = []
    continuing_ops = {"=~", "~~", "~", ":=", "==", "<", ">", "+", "-", "*", "/", "^", "(", ","}
    for lineno, raw in enumerate(model.splitlines(), start=1):
        line = _strip_comment(raw)
        level = _level_line(line, lineno)
        if level is not None:  # "level: 1" starts a block of its own
            if current:
                last = current[-1]
                raise ModelSyntaxError(
                    f"line {last.line}, position {last.col}: statement ends with operator {last.text!r}")
            statements.append([Token("level", level, lineno, 1)])
            continue
        _refuse_unsupported(line, lineno)
        pos = 0
        line_tokens: list[Token] = []
        while pos < len(line):
            m = _TOKEN_RE.match(line, pos)
            if m is None:
                ch = line[pos]
                if ch == ";":
                    line_tokens.append(Token("sep", ";", lineno, pos + 1))
                    pos += 1
                    continue
                raise ModelSyntaxError(
                    f"line {lineno}, position {pos + 1}: unexpected character {ch!r} in {raw.strip()!r}"
                )
            kind = m.lastgroup
            if kind != "ws":
                line_tokens.append(Token(kind, m.group(), lineno, pos + 1))
            pos = m.end()
        # split on ';' and join continuation lines
        for tok in line_tokens:
            if tok.kind == "sep":
                if current:
                    statements.append(current)
                current = []
                continue
            if not current and statements and tok is line_tokens[0] and tok.text == "+" and tok.kind == "op":
                # a line starting with '+' continues the previous statement
                current = statements.pop()
            current.append(tok)
        if current and not (current[-1].kind == "op" and current[-1].text in continuing_ops):
            statements.append(current)
            current = []
    if current:
        last = current[-1]
        raise ModelSyntaxError(
            f"line {last.line}, position {last.col}: statement ends with operator {last.text!r}"
        )
    return statements


_LEVEL_RE = re.compile(r"^\s*level\s*:\s*(\S*)")
_EFA_RE = re.compile(r"\befa\s*\(")


_LEVELS = {"1": "1", "within": "1", "2": "2", "between": "2"}


def _level_line(line: str, lineno: int) -> str | None:
    """"1" or "2" for a ``level: 1`` / ``level: within`` / ``level: 2`` / ``level: between`` line, else None."""
    m = _LEVEL_RE.match(line)
    if not m:
        return None
    rest = line[m.end():].strip()
    name = m.group(1).strip().lower()
    if rest or name not in _LEVELS:
        raise ModelSpecificationError(
            f"line {lineno}: {line.strip()!r}: two-level models have the blocks 'level: 1' (or 'within') and "
            "'level: 2' (or 'between'), each on a line of its own; more levels are not supported")
    return _LEVELS[name]


def _refuse_unsupported(line: str, lineno: int) -> None:
    """lavaan syntax this engine does not fit, refused by name (not as a typo-like parse error)."""
    if _EFA_RE.search(line):
        raise ModelSpecificationError(
            f"line {lineno}: exploratory SEM blocks (efa(\"...\")* modifiers) are not supported; run rs.efa for "
            "the exploratory factors and specify a confirmatory model")


# --------------------------------------------------------------------------------------------- expressions

_FUNCS = {"sqrt": math.sqrt, "exp": math.exp, "log": math.log, "abs": abs}


#: Longest chain of operations in one expression (``:=``, constraints); deeper trees are refused with a clear
#: error rather than a recursion error in the evaluator.
MAX_EXPRESSION_DEPTH = 200


def _tree_depth(node: tuple) -> int:
    """Depth of an expression tree, without recursion."""
    deepest, stack = 0, [(node, 1)]
    while stack:
        n, d = stack.pop()
        deepest = max(deepest, d)
        stack.extend((child, d + 1) for child in n[1:] if isinstance(child, tuple))
    return deepest


class _ExprParser:
    """Recursive-descent parser for arithmetic: + - * / ^, unary minus, parentheses, numbers, names, f(x)."""

    def __init__(self, tokens: list[Token]):
        self.toks = tokens
        self.i = 0

    def peek(self) -> Token | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def error(self, msg: str, tok: Token | None = None) -> ModelSyntaxError:
        tok = tok or self.peek() or (self.toks[-1] if self.toks else None)
        where = f"line {tok.line}, position {tok.col}: " if tok else ""
        return ModelSyntaxError(where + msg)

    def take(self, text: str | None = None) -> Token:
        tok = self.peek()
        if tok is None or (text is not None and tok.text != text):
            raise self.error(f"expected {text!r}" if text else "unexpected end of expression")
        self.i += 1
        return tok

    def parse(self):
        if not self.toks:
            raise ModelSyntaxError("empty expression")
        if len(self.toks) > 4 * MAX_EXPRESSION_DEPTH:
            raise self.error(f"expression too long ({len(self.toks)} tokens; at most {4 * MAX_EXPRESSION_DEPTH}): "
                             "split it into several defined parameters", self.toks[0])
        depth = nesting = 0
        for t in self.toks:  # parentheses nest the recursive descent: refuse before recursing
            nesting += (t.text == "(") - (t.text == ")")
            depth = max(depth, nesting)
        if depth > MAX_EXPRESSION_DEPTH // 4:
            raise self.error(f"expression nested {depth} parentheses deep (at most {MAX_EXPRESSION_DEPTH // 4})",
                             self.toks[0])
        node = self.expr()
        if self.peek() is not None:
            raise self.error(f"unexpected {self.peek().text!r} in expression")
        if _tree_depth(node) > MAX_EXPRESSION_DEPTH:
            raise self.error(f"expression too deeply nested (more than {MAX_EXPRESSION_DEPTH} operations in a "
                             "chain): split it into several defined parameters", self.toks[0])
        return node

    def expr(self):
        node = self.term()
        while (t := self.peek()) is not None and t.text in "+-" and t.kind == "op":
            self.i += 1
            node = (t.text, node, self.term())
        return node

    def term(self):
        node = self.unary()
        while (t := self.peek()) is not None and t.text in ("*", "/") and t.kind == "op":
            self.i += 1
            node = (t.text, node, self.unary())
        return node

    def unary(self):
        t = self.peek()
        if t is not None and t.kind == "op" and t.text in "+-":
            self.i += 1
            operand = self.unary()
            return ("neg", operand) if t.text == "-" else operand
        return self.power()

    def power(self):
        base = self.atom()
        t = self.peek()
        if t is not None and t.text == "^":
            self.i += 1
            return ("^", base, self.unary())  # right associative
        return base

    def atom(self):
        t = self.peek()
        if t is None:
            raise self.error("unexpected end of expression")
        if t.kind == "num":
            self.i += 1
            return ("num", float(t.text))
        if t.kind == "name":
            self.i += 1
            nxt = self.peek()
            if nxt is not None and nxt.text == "(":
                if t.text not in _FUNCS:
                    raise self.error(f"unknown function {t.text!r} (allowed: {', '.join(_FUNCS)})", t)
                self.take("(")
                arg = self.expr()
                self.take(")")
                return ("call", t.text, arg)
            return ("name", t.text)
        if t.text == "(":
            self.i += 1
            node = self.expr()
            self.take(")")
            return node
        raise self.error(f"unexpected {t.text!r} in expression", t)


def parse_expression(tokens_or_text) -> tuple:
    """Parse an arithmetic expression into a small tuple tree (no ``eval``).

    Examples
    --------
    >>> parse_expression("a*b + 1")
    ('+', ('*', ('name', 'a'), ('name', 'b')), ('num', 1.0))
    """
    if isinstance(tokens_or_text, str):
        stmts = tokenize(tokens_or_text)
        tokens = [t for s in stmts for t in s]
    else:
        tokens = list(tokens_or_text)
    return _ExprParser(tokens).parse()


def eval_expression(node: tuple, values: dict[str, float]) -> float:
    """Evaluate an expression tree with ``values`` for the names.

    Examples
    --------
    >>> eval_expression(parse_expression("sqrt(a)^2 - b/2"), {"a": 4.0, "b": 1.0})
    3.5
    """
    kind = node[0]
    if kind == "num":
        return node[1]
    if kind == "name":
        try:
            return values[node[1]]
        except KeyError:
            raise ModelSpecificationError(f"unknown label {node[1]!r} in a defined parameter or constraint")
    if kind == "neg":
        return -eval_expression(node[1], values)
    if kind == "call":
        x = eval_expression(node[2], values)
        if node[1] == "sqrt":
            return math.sqrt(x) if x >= 0 else float("nan")
        if node[1] == "log":
            return math.log(x) if x > 0 else float("nan")
        return _FUNCS[node[1]](x)
    a = eval_expression(node[1], values)
    b = eval_expression(node[2], values)
    if kind == "+":
        return a + b
    if kind == "-":
        return a - b
    if kind == "*":
        return a * b
    if kind == "/":
        return a / b if b != 0 else float("nan")
    if kind == "^":
        try:
            return float(a**b)
        except (OverflowError, ZeroDivisionError, ValueError):
            return float("nan")
    raise ValueError(f"bad expression node {node!r}")


def eval_expression_gradient(node: tuple, values: dict[str, float],
                             grads: dict[str, np.ndarray]) -> tuple[float, np.ndarray]:
    """Value and gradient of an expression tree (forward-mode differentiation): ``grads`` holds the gradient of
    each name with respect to the parameters; undefined values (sqrt/log of a negative, division by zero) are NaN
    as in :func:`eval_expression`.

    Examples
    --------
    >>> v, g = eval_expression_gradient(parse_expression("a*b + sqrt(a)"), {"a": 4.0, "b": 3.0},
    ...                                 {"a": np.array([1.0, 0.0]), "b": np.array([0.0, 1.0])})
    >>> float(v), g.tolist()
    (14.0, [3.25, 4.0])
    """
    kind = node[0]
    if kind == "num":
        return node[1], 0.0
    if kind == "name":
        try:
            return values[node[1]], grads[node[1]]
        except KeyError:
            raise ModelSpecificationError(f"unknown label {node[1]!r} in a defined parameter or constraint")
    if kind == "neg":
        v, g = eval_expression_gradient(node[1], values, grads)
        return -v, -g
    if kind == "call":
        x, g = eval_expression_gradient(node[2], values, grads)
        f = node[1]
        if f == "sqrt":
            if not x >= 0:
                return float("nan"), g * float("nan")
            r = math.sqrt(x)
            return r, (g / (2 * r) if r > 0 else g * float("nan"))
        if f == "log":
            return (math.log(x), g / x) if x > 0 else (float("nan"), g * float("nan"))
        if f == "exp":
            r = math.exp(x)
            return r, r * g
        return abs(x), (1.0 if x > 0 else -1.0 if x < 0 else float("nan")) * g  # abs
    a, ga = eval_expression_gradient(node[1], values, grads)
    b, gb = eval_expression_gradient(node[2], values, grads)
    if kind == "+":
        return a + b, ga + gb
    if kind == "-":
        return a - b, ga - gb
    if kind == "*":
        return a * b, b * ga + a * gb
    if kind == "/":
        if b == 0:
            return float("nan"), (ga + gb) * float("nan")
        return a / b, ga / b - a * gb / (b * b)
    if kind == "^":
        try:
            r = float(a**b)
            if a != 0 or b >= 1:
                d = b * float(a ** (b - 1)) * ga
            else:  # 0^b with b < 1: the derivative exists only for b == 0 (a constant 1)
                d = ga * (0.0 if b == 0 else float("nan"))
            if np.any(gb != 0):
                d = d + (r * math.log(a) * gb if a > 0 else gb * float("nan"))
            return r, d
        except (OverflowError, ZeroDivisionError, ValueError, TypeError):
            return float("nan"), (ga + gb) * float("nan")
    raise ValueError(f"bad expression node {node!r}")


def expression_labels(node: tuple) -> list[str]:
    """Names used in an expression tree, in order of first appearance."""
    out: list[str] = []

    def walk(n):
        if n[0] == "name":
            if n[1] not in out:
                out.append(n[1])
        elif n[0] == "num":
            return
        elif n[0] == "call":
            walk(n[2])
        else:
            for child in n[1:]:
                walk(child)

    walk(node)
    return out


def expression_to_string(node: tuple) -> str:
    """Render an expression tree back to text (fully parenthesised where needed)."""
    kind = node[0]
    if kind == "num":
        v = node[1]
        return repr(int(v)) if v == int(v) else repr(v)
    if kind == "name":
        return node[1]
    if kind == "neg":
        return "-" + expression_to_string(node[1])
    if kind == "call":
        return f"{node[1]}({expression_to_string(node[2])})"
    return f"{_paren(node[1])}{kind}{_paren(node[2])}"


def _paren(n):
    s = expression_to_string(n)
    return s if n[0] in ("num", "name", "call") else f"({s})"


# --------------------------------------------------------------------------------------------- statements


@dataclass
class Modifier:
    """Pre-multipliers of one right-hand-side term: fixed value(s), label(s), start value(s).

    Each is a list (one entry per group for ``c(...)``) or None.
    """

    fixed: list[float | None] | None = None  # None entry -> NA (free)
    label: list[str | None] | None = None
    start: list[float] | None = None


@dataclass
class Formula:
    """One ``lhs op rhs`` element (after splitting ``+``)."""

    lhs: str
    op: str
    rhs: str
    modifier: Modifier = field(default_factory=Modifier)
    line: int = 0
    col: int = 0
    level: int = 0  # 0: single-level model; 1 within, 2 between (two-level models)


@dataclass
class ParsedModel:
    """Result of :func:`parse_model`."""

    formulas: list[Formula]
    definitions: list[tuple[str, tuple, str, int]]  # (name, expr tree, text, line)
    constraints: list[tuple[tuple, str, tuple, str, int]]  # (lhs tree, op, rhs tree, text, line)


_OPS = ("=~", "~~", "~", ":=", "==", "<", ">", "<=", ">=", "|", "<~", "~*~", "%")
_UNSUPPORTED_OPS = {"<~": "formative/composite indicators ('<~')", "~*~": "scale factors ('~*~')",
                    "%": "group weights ('%')"}


def _err(tok: Token, msg: str) -> ModelSyntaxError:
    return ModelSyntaxError(f"line {tok.line}, position {tok.col}: {msg}")


def _parse_vector(toks: list[Token], i: int) -> tuple[list, int]:
    """Parse ``c(a, 1, NA)`` starting at the name ``c``; return values and next index."""
    if i + 1 >= len(toks) or toks[i + 1].text != "(":
        raise _err(toks[i], "expected '(' after c")
    i += 2
    vals: list = []
    while True:
        if i >= len(toks):
            raise _err(toks[-1], "unclosed c(")
        t = toks[i]
        sign = 1.0
        if t.text == "-" and i + 1 < len(toks) and toks[i + 1].kind == "num":
            sign = -1.0
            i += 1
            t = toks[i]
        if t.kind == "num":
            vals.append(sign * float(t.text))
        elif t.kind == "name":
            vals.append(None if t.text == "NA" else ("label", t.text))
        elif t.kind == "str":
            vals.append(("label", t.text[1:-1]))
        else:
            raise _err(t, f"unexpected {t.text!r} in c(...)")
        i += 1
        if i >= len(toks):
            raise _err(t, "unclosed c(")
        if toks[i].text == ",":
            i += 1
            continue
        if toks[i].text == ")":
            return vals, i + 1
        raise _err(toks[i], f"expected ',' or ')' in c(...), got {toks[i].text!r}")


def _parse_term(toks: list[Token]) -> tuple[str, Modifier, Token]:
    """Parse one rhs term ``mod*mod*name`` into (name, modifier, name token)."""
    mod = Modifier()
    i = 0
    n = len(toks)
    if n == 0:
        raise ModelSyntaxError("empty term")
    while True:
        if i >= n:
            raise _err(toks[-1], "term ends after '*' without a variable name")
        t = toks[i]
        # last element: the variable name (or 1 for intercept)
        if i == n - 1:
            if t.kind == "name" or (t.kind == "num" and t.text in ("1", "1.0")):
                return t.text, mod, t
            raise _err(t, f"expected a variable name, got {t.text!r}")
        # otherwise a modifier followed by '*'
        sign = 1.0
        if t.text == "-" and t.kind == "op" and i + 1 < n and toks[i + 1].kind == "num":
            sign = -1.0
            i += 1
            t = toks[i]
        if t.kind == "num":
            mod.fixed = [sign * float(t.text)]
            i += 1
        elif t.kind == "name" and t.text == "NA":
            mod.fixed = [None]
            i += 1
        elif t.kind == "name" and t.text in ("start", "label", "equal") and i + 1 < n and toks[i + 1].text == "(":
            if toks[i + 2].text == "c" if i + 2 < n else False:
                vals, i = _parse_vector(toks, i + 2)
                if i >= n or toks[i].text != ")":
                    raise _err(toks[min(i, n - 1)], f"expected ')' closing {t.text}(")
                i += 1
            else:
                j = i + 2
                sgn = 1.0
                if j < n and toks[j].text == "-":
                    sgn = -1.0
                    j += 1
                if j + 1 >= n or toks[j + 1].text != ")":
                    raise _err(toks[min(j, n - 1)], f"malformed {t.text}(...)")
                v = toks[j]
                if v.kind == "num":
                    vals = [sgn * float(v.text)]
                elif v.kind in ("str", "name"):
                    vals = [("label", v.text.strip("\"'"))]
                else:
                    raise _err(v, f"unexpected {v.text!r} in {t.text}(...)")
                i = j + 2
            if t.text == "start":
                if any(not isinstance(v, float) for v in vals):
                    raise _err(t, "start() needs numbers")
                mod.start = vals
            else:
                if t.text == "equal":
                    raise _err(t, "equal() modifiers are not supported; use a shared label instead")
                mod.label = [v[1] if isinstance(v, tuple) else None for v in vals]
        elif t.kind == "name" and t.text == "c" and i + 1 < n and toks[i + 1].text == "(":
            vals, i = _parse_vector(toks, i)
            if all(isinstance(v, tuple) for v in vals):
                mod.label = [v[1] for v in vals]
            elif all(v is None or isinstance(v, float) for v in vals):
                mod.fixed = vals
            else:
                raise _err(t, "c(...) mixes labels and numbers; use separate modifiers")
        elif t.kind == "name":
            mod.label = [t.text]
            i += 1
        elif t.kind == "str":
            mod.label = [t.text[1:-1]]
            i += 1
        else:
            raise _err(t, f"unexpected {t.text!r} in a term")
        if i >= n or toks[i].text != "*":
            bad = toks[i] if i < n else toks[-1]
            raise _err(bad, f"expected '*' after a modifier, got {bad.text!r}")
        i += 1


def _split_plus(toks: list[Token]) -> list[list[Token]]:
    """Split tokens on top-level '+' (a '-' directly after '+' or '*' belongs to a number)."""
    parts: list[list[Token]] = [[]]
    depth = 0
    for t in toks:
        if t.text == "(":
            depth += 1
        elif t.text == ")":
            depth -= 1
        if t.text == "+" and t.kind == "op" and depth == 0:
            parts.append([])
        else:
            parts[-1].append(t)
    return parts


def parse_model(model: str) -> ParsedModel:
    """Parse lavaan model syntax into formulas, defined parameters and constraints.

    Raises
    ------
    ModelSyntaxError
        With the line number and position of the offending token.

    Examples
    --------
    >>> pm = parse_model("f =~ x1 + a*x2 + 1*x3\\n ab := a*2")
    >>> [(f.lhs, f.op, f.rhs, f.modifier.label, f.modifier.fixed) for f in pm.formulas]
    [('f', '=~', 'x1', None, None), ('f', '=~', 'x2', ['a'], None), ('f', '=~', 'x3', None, [1.0])]
    >>> pm.definitions[0][0]
    'ab'
    """
    formulas: list[Formula] = []
    definitions: list = []
    constraints: list = []
    level = 0
    seen_levels: list[int] = []
    for stmt in tokenize(model):
        if stmt[0].kind == "level":
            level = int(stmt[0].text)
            if level in seen_levels:
                raise ModelSyntaxError(f"line {stmt[0].line}: 'level: {level}' appears twice")
            seen_levels.append(level)
            continue
        op_idx = [k for k, t in enumerate(stmt) if t.kind == "op" and t.text in _OPS]
        if not op_idx:
            raise _err(stmt[0], f"no operator (=~, ~, ~~, :=, ==) found in statement starting with {stmt[0].text!r}")
        k = op_idx[0]
        op_tok = stmt[k]
        op = op_tok.text
        if op in _UNSUPPORTED_OPS:
            raise _err(op_tok, f"{_UNSUPPORTED_OPS[op]} are not supported")
        lhs_toks, rhs_toks = stmt[:k], stmt[k + 1:]
        text = " ".join(t.text for t in stmt)
        if op in ("==", "<", ">", "<=", ">="):
            if len(op_idx) > 1:
                raise _err(stmt[op_idx[1]], f"unexpected operator {stmt[op_idx[1]].text!r}")
            if not lhs_toks or not rhs_toks:
                raise _err(op_tok, f"constraint needs expressions on both sides of {op!r}")
            constraints.append((parse_expression(lhs_toks), op, parse_expression(rhs_toks), text, op_tok.line))
            continue
        if len(op_idx) > 1:
            bad = stmt[op_idx[1]]
            if bad.line != op_tok.line and all(t.line == op_tok.line for t in lhs_toks):
                # 'F =~' at the end of a line joins the next statement: an empty right-hand side
                head = " ".join(t.text for t in lhs_toks)
                raise _err(op_tok, f"{head!r} {op} has nothing on its right-hand side (line {bad.line} starts a "
                                   "statement of its own); list the indicators after the operator")
            raise _err(bad, f"unexpected second operator {bad.text!r}")
        if not lhs_toks:
            raise _err(op_tok, f"missing left-hand side before {op!r}")
        if not rhs_toks:
            raise _err(op_tok, f"missing right-hand side after {op!r}")
        if op == ":=":
            if len(lhs_toks) != 1 or lhs_toks[0].kind != "name":
                raise _err(lhs_toks[0], "the left-hand side of ':=' must be a single name")
            definitions.append((lhs_toks[0].text, parse_expression(rhs_toks), " ".join(t.text for t in rhs_toks),
                                op_tok.line))
            continue
        # lhs: one or more names separated by '+'
        lhs_names = []
        for part in _split_plus(lhs_toks):
            if len(part) != 1 or part[0].kind != "name":
                bad = part[0] if part else op_tok
                raise _err(bad, f"left-hand side of {op!r} must be variable names separated by '+'")
            lhs_names.append(part[0].text)
        for part in _split_plus(rhs_toks):
            if not part:
                raise _err(op_tok, f"empty term on the right-hand side of {op!r}")
            name, mod, name_tok = _parse_term(part)
            this_op = op
            if name_tok.kind == "num":
                if op != "~":
                    raise _err(name_tok, f"a number cannot be a variable after {op!r}")
                this_op, name = "~1", ""
            elif op == "=~" and name_tok.kind != "name":
                raise _err(name_tok, "expected an indicator name")
            for lhs in lhs_names:
                if seen_levels and not level:
                    raise ModelSyntaxError(f"line {name_tok.line}: model formulas before the first 'level:' line")
                formulas.append(Formula(lhs, this_op, name, mod, name_tok.line, name_tok.col, level))
    if seen_levels and sorted(seen_levels) != [1, 2]:
        raise ModelSpecificationError("a two-level model needs both blocks, 'level: 1' and 'level: 2'")
    return ParsedModel(formulas, definitions, constraints)


# --------------------------------------------------------------------------------------------- variable names


@dataclass
class VariableNames:
    """Variable classes of a model, following lavaan's ``lavNames`` conventions."""

    lv: list[str]
    ov: list[str]
    ov_ind: list[str]
    ov_x: list[str]
    ov_nox: list[str]
    ov_y: list[str]
    lv_x: list[str]
    lv_y: list[str]
    eqs_y: list[str]
    eqs_x: list[str]


def _unique(seq) -> list[str]:
    out: list[str] = []
    for s in seq:
        if s not in out:
            out.append(s)
    return out


def variable_names(formulas: list[Formula], fixed_x: bool = True) -> VariableNames:
    """Classify the variables of a list of formulas as lavaan does.

    Examples
    --------
    >>> pm = parse_model("f =~ y1 + y2 + y3; f ~ x1")
    >>> vn = variable_names(pm.formulas)
    >>> vn.ov, vn.ov_x, vn.lv
    (['y1', 'y2', 'y3', 'x1'], ['x1'], ['f'])
    """
    lv = _unique(f.lhs for f in formulas if f.op == "=~")
    v_ind = _unique(f.rhs for f in formulas if f.op == "=~")
    eqs_y = _unique(f.lhs for f in formulas if f.op == "~")
    eqs_x = _unique(f.rhs for f in formulas if f.op == "~")
    ov_ind = [v for v in v_ind if v not in lv]
    ov_y_int = [v for v in eqs_y if v not in lv and v not in ov_ind]
    ov_x = [v for v in eqs_x if v not in lv and v not in ov_ind and v not in ov_y_int]
    ov_cov = [f.lhs for f in formulas if f.op == "~~" and f.lhs not in lv] + [
        f.rhs for f in formulas if f.op == "~~" and f.rhs not in lv
    ]
    ov_int = [f.lhs for f in formulas if f.op == "~1" and f.lhs not in lv]
    base = ov_ind + ov_y_int + ov_x
    ov = base + [v for v in _unique(ov_cov + ov_int) if v not in base]
    # exogenous x that the user gives a variance/covariance/intercept become ordinary (random) variables
    user_mentioned = set(ov_int) | {f.lhs for f in formulas if f.op == "~~"} | {f.rhs for f in formulas if f.op == "~~"}
    # (ov_x does not depend on fixed_x: with fixed_x=False the x block is added as free parameters)
    ov_x = [v for v in ov_x if v not in user_mentioned]
    ov_nox = [v for v in ov if v not in ov_x]
    lv_x = [v for v in lv if v not in v_ind and v not in eqs_y]
    ov_y = [v for v in ov if v in eqs_y and v not in v_ind and v not in eqs_x and v not in lv]
    lv_y = [v for v in lv if v in eqs_y and v not in v_ind and v not in eqs_x]
    return VariableNames(lv, ov, ov_ind, ov_x, ov_nox, ov_y, lv_x, lv_y, eqs_y, eqs_x)


# --------------------------------------------------------------------------------------------- partable

PARTABLE_COLUMNS = ["id", "lhs", "op", "rhs", "user", "block", "group", "free", "ustart", "exo", "label",
                    "plabel", "start", "est", "se"]


def build_partable(model, **kwargs) -> pd.DataFrame:
    """Build a lavaan-style parameter table (see :func:`resilience_stats.sem.partable.build_partable`).

    Examples
    --------
    >>> int(build_partable("visual =~ x1 + x2 + x3")["free"].max())
    6
    """
    from .partable import build_partable as _build

    return _build(model, **kwargs)
