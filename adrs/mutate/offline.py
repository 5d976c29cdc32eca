"""The built-in offline mutator: model-free edits so that a run works with no network.

For Python it edits the syntax tree of the evolvable region: perturbs numeric constants,
swaps comparison, arithmetic and boolean operators, swaps ``min``/``max`` and dictionary
keys, deletes, duplicates or reorders statements, and crosses over a function from an
inspiration. For other languages it mutates numeric constants in the text (tile sizes,
block sizes). Each edit is emitted as a SEARCH/REPLACE block, so it takes the same patch
path as a model's answer. Given the request's seed, the result is deterministic.
"""

from __future__ import annotations

import ast
import builtins
import copy
import difflib
import math
import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from adrs.archive.store import CallRecord
from adrs.mutate.base import MutationRequest, ProgramView, Proposal
from adrs.mutate.textdiff import diff_block
from adrs.source.regions import RegionError, edit_outside_regions, split_regions

N = TypeVar("N", bound=ast.AST)

COMPARE_SWAPS: dict[type, tuple[type, ...]] = {
    ast.Lt: (ast.LtE, ast.Gt),
    ast.LtE: (ast.Lt, ast.GtE),
    ast.Gt: (ast.GtE, ast.Lt),
    ast.GtE: (ast.Gt, ast.LtE),
    ast.Eq: (ast.NotEq,),
    ast.NotEq: (ast.Eq,),
    ast.In: (ast.NotIn,),
    ast.NotIn: (ast.In,),
    ast.Is: (ast.IsNot,),
    ast.IsNot: (ast.Is,),
}
BINOP_SWAPS: dict[type, tuple[type, ...]] = {
    ast.Add: (ast.Sub, ast.Mult),
    ast.Sub: (ast.Add,),
    ast.Mult: (ast.Div, ast.Add),
    ast.Div: (ast.Mult, ast.FloorDiv),
    ast.FloorDiv: (ast.Div,),
    ast.Pow: (ast.Mult,),
    ast.Mod: (ast.FloorDiv,),
}
NAME_SWAPS = {"min": "max", "max": "min", "any": "all", "all": "any"}
GROW_OPS = ("+", "-", "*", "/")
EXPRESSION_KINDS = (ast.BinOp, ast.Subscript, ast.Call, ast.Name, ast.Attribute)
MAX_EXPRESSION_CHARS = 80
BUILTIN_NAMES = frozenset(dir(builtins))
NUMERIC_CONTEXTS = (ast.BinOp, ast.UnaryOp, ast.Compare, ast.Lambda, ast.Assign, ast.AugAssign)
SCOPES = (
    ast.Module,
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.Lambda,
    ast.ListComp,
    ast.SetComp,
    ast.DictComp,
    ast.GeneratorExp,
)


def _is_number(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Constant)
        and isinstance(node.value, (int, float))
        and not isinstance(node.value, bool)
    )


def _names(node: ast.AST) -> set[str]:
    return {x.id for x in ast.walk(node) if isinstance(x, ast.Name)}


def _bound_names(scope: ast.AST) -> set[str]:
    """Names a scope binds: its parameters, targets and definitions (not nested scopes')."""
    names: set[str] = set()
    args = getattr(scope, "args", None)
    if isinstance(args, ast.arguments):
        for a in [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]:
            if a is not None:
                names.add(a.arg)
    for gen in getattr(scope, "generators", []):
        names |= {n.id for n in ast.walk(gen.target) if isinstance(n, ast.Name)}
    stack = list(ast.iter_child_nodes(scope))
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
            continue
        if isinstance(node, SCOPES):
            continue
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names}
        stack.extend(ast.iter_child_nodes(node))
    return names


_NUMBER = re.compile(r"(?<![\w.])(\d+\.\d*|\.\d+|\d+)([eE][-+]?\d+)?([fFuU]?)(?![\w.])")
# Comments and string literals, whose digits are not constants of the program.
_SKIPPED = {
    "python": re.compile(r"#[^\n]*|\"(?:\\.|[^\"\\\n])*\"|'(?:\\.|[^'\\\n])*'"),
    "c": re.compile(r"//[^\n]*|/\*.*?\*/|\"(?:\\.|[^\"\\\n])*\"|'(?:\\.|[^'\\\n])*'", re.DOTALL),
}


@dataclass
class Edit:
    source: str
    label: str
    crossover: tuple[str, ...] = ()


class _Text:
    """Line/column (UTF-8 byte columns, as ``ast`` reports them) to string offsets."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.lines = source.splitlines(keepends=True)
        self.starts = [0]
        for line in self.lines:
            self.starts.append(self.starts[-1] + len(line))

    def offset(self, lineno: int, col: int) -> int:
        line = self.lines[lineno - 1] if lineno - 1 < len(self.lines) else ""
        return self.starts[lineno - 1] + len(line.encode("utf-8")[:col].decode("utf-8", "ignore"))

    def splice(self, node: ast.expr, text: str) -> str:
        start = self.offset(node.lineno, node.col_offset)
        end = self.offset(node.end_lineno or node.lineno, node.end_col_offset or 0)
        return self.source[:start] + text + self.source[end:]

    def line_block(self, first: int, last: int) -> str:
        return "".join(self.lines[first - 1 : last])

    def replace_lines(self, first: int, last: int, text: str) -> str:
        return "".join(self.lines[: first - 1]) + text + "".join(self.lines[last:])


def _new_number(value: float | int, rng: random.Random) -> float | int:
    if isinstance(value, int):
        options = [value + 1, value - 1, value * 2, value + rng.randint(-3, 3)]
        if abs(value) > 1:
            options.append(value // 2)
        options = [o for o in options if o != value]
        return rng.choice(options)
    if value == 0.0:
        return round(rng.gauss(0.0, 0.1), 4)
    scaled = value * math.exp(rng.gauss(0.0, 0.35))
    digits = 4 - math.floor(math.log10(abs(scaled))) - 1
    return round(scaled, max(digits, 0))


class _PythonEdits:
    """The edit operators over one parsed parent."""

    def __init__(self, source: str, inspirations: Sequence[ProgramView]) -> None:
        self.text = _Text(source)
        self.tree = ast.parse(source)
        self.spans = split_regions(source).evolvable_spans()
        self.inspirations = inspirations
        self.nodes = [n for n in ast.walk(self.tree) if self._inside(n)]
        self.parent_of: dict[ast.AST, ast.AST] = {
            child: parent
            for parent in ast.walk(self.tree)
            for child in ast.iter_child_nodes(parent)
        }

    def _inside(self, node: ast.AST) -> bool:
        first = getattr(node, "lineno", None)
        last = getattr(node, "end_lineno", None)
        if first is None or last is None:
            return False
        return any(a <= first and last <= b for a, b in self.spans)

    def _pick(
        self, kind: type[N], rng: random.Random, where: Callable[[N], bool] = lambda n: True
    ) -> N | None:
        pool = [n for n in self.nodes if isinstance(n, kind) and where(n)]
        return rng.choice(pool) if pool else None

    def perturb_constant(self, rng: random.Random) -> str | None:
        node = self._pick(ast.Constant, rng, _is_number)
        if node is None or not isinstance(node.value, (int, float)):
            return None
        new = _new_number(node.value, rng)
        return self.text.splice(node, f"({new!r})" if new < 0 else repr(new))

    def flip_compare(self, rng: random.Random) -> str | None:
        node = self._pick(ast.Compare, rng)
        if node is None:
            return None
        new = copy.deepcopy(node)
        i = rng.randrange(len(new.ops))
        choices = COMPARE_SWAPS.get(type(new.ops[i]))
        if not choices:
            return None
        new.ops[i] = rng.choice(choices)()
        return self.text.splice(node, ast.unparse(new))

    def swap_binop(self, rng: random.Random) -> str | None:
        node = self._pick(ast.BinOp, rng, lambda n: type(n.op) in BINOP_SWAPS)
        if node is None:
            return None
        new = copy.deepcopy(node)
        new.op = rng.choice(BINOP_SWAPS[type(new.op)])()
        return self.text.splice(node, "(" + ast.unparse(new) + ")")

    def swap_boolop(self, rng: random.Random) -> str | None:
        node = self._pick(ast.BoolOp, rng)
        if node is None:
            return None
        new = copy.deepcopy(node)
        new.op = ast.Or() if isinstance(new.op, ast.And) else ast.And()
        return self.text.splice(node, "(" + ast.unparse(new) + ")")

    def flip_bool(self, rng: random.Random) -> str | None:
        node = self._pick(ast.Constant, rng, lambda n: isinstance(n.value, bool))
        if node is None:
            return None
        return self.text.splice(node, repr(not node.value))

    def swap_name(self, rng: random.Random) -> str | None:
        node = self._pick(ast.Name, rng, lambda n: n.id in NAME_SWAPS)
        if node is None:
            return None
        return self.text.splice(node, NAME_SWAPS[node.id])

    def swap_key(self, rng: random.Random) -> str | None:
        keys: list[ast.Constant] = [
            n.slice
            for n in self.nodes
            if isinstance(n, ast.Subscript)
            and isinstance(n.slice, ast.Constant)
            and isinstance(n.slice.value, str)
        ]
        names = sorted({str(k.value) for k in keys})
        if len(names) < 2:
            return None
        node = rng.choice(keys)
        other = rng.choice([k for k in names if k != node.value])
        return self.text.splice(node, repr(other))

    def _statements(self) -> list[tuple[list[ast.stmt], int]]:
        out = []
        for n in self.nodes:
            for name in ("body", "orelse", "finalbody"):
                body = getattr(n, name, None)
                if isinstance(body, list) and body and isinstance(body[0], ast.stmt):
                    for i in range(len(body)):
                        out.append((body, i))
        return out

    def delete_statement(self, rng: random.Random) -> str | None:
        pool = [
            (b, i)
            for b, i in self._statements()
            if len(b) > 1
            and not isinstance(b[i], (ast.Return, ast.FunctionDef, ast.ClassDef))
            and self._inside(b[i])
        ]
        if not pool:
            return None
        body, i = rng.choice(pool)
        s = body[i]
        return self.text.replace_lines(s.lineno, s.end_lineno or s.lineno, "")

    def duplicate_statement(self, rng: random.Random) -> str | None:
        pool = [
            (b, i)
            for b, i in self._statements()
            if isinstance(b[i], (ast.Assign, ast.AugAssign, ast.Expr, ast.If, ast.For))
            and self._inside(b[i])
        ]
        if not pool:
            return None
        body, i = rng.choice(pool)
        s = body[i]
        last = s.end_lineno or s.lineno
        block = self.text.line_block(s.lineno, last)
        return self.text.replace_lines(s.lineno, last, block + block)

    def swap_adjacent(self, rng: random.Random) -> str | None:
        pool = [
            (b, i)
            for b, i in self._statements()
            if i + 1 < len(b)
            and self._inside(b[i])
            and self._inside(b[i + 1])
            and not isinstance(b[i + 1], ast.Return)
            and (b[i].end_lineno or 0) < b[i + 1].lineno
        ]
        if not pool:
            return None
        body, i = rng.choice(pool)
        a, b = body[i], body[i + 1]
        first, last = a.lineno, b.end_lineno or b.lineno
        upper = self.text.line_block(a.lineno, a.end_lineno or a.lineno)
        lower = self.text.line_block(b.lineno, b.end_lineno or b.lineno)
        between = self.text.line_block((a.end_lineno or a.lineno) + 1, b.lineno - 1)
        return self.text.replace_lines(first, last, lower + between + upper)

    def _expressions(self) -> list[ast.expr]:
        """Value expressions (loads only) short enough to move around."""
        out: list[ast.expr] = []
        for n in self.nodes:
            if not isinstance(n, EXPRESSION_KINDS):
                continue
            if isinstance(n, (ast.Name, ast.Attribute, ast.Subscript)) and not isinstance(
                n.ctx, ast.Load
            ):
                continue
            if isinstance(n, ast.Name) and n.id in BUILTIN_NAMES:
                continue
            owner = self.parent_of.get(n)
            if isinstance(owner, ast.Call) and owner.func is n:
                continue  # a callee, not a value
            text = ast.get_source_segment(self.text.source, n) or ""
            if text and len(text) <= MAX_EXPRESSION_CHARS and "\n" not in text:
                out.append(n)
        return out

    def _visible(self, node: ast.AST) -> set[str]:
        """Names bound in the scopes enclosing ``node`` (an approximation of Python's rules)."""
        names = set(BUILTIN_NAMES)
        current: ast.AST | None = node
        while current is not None:
            if isinstance(current, SCOPES):
                names |= _bound_names(current)
            current = self.parent_of.get(current)
        return names

    def _two_expressions(self, rng: random.Random) -> tuple[ast.expr, str] | None:
        pool = self._expressions()
        # Targets sit where a number is expected: operands, comparisons, lambda bodies and
        # assigned values; that keeps most edits meaningful rather than type errors.
        targets = [n for n in pool if isinstance(self.parent_of.get(n), NUMERIC_CONTEXTS)]
        if len(pool) < 2 or not targets:
            return None
        target = rng.choice(targets)
        mine = ast.get_source_segment(self.text.source, target)
        visible = self._visible(target)
        own_names = _names(target)
        weights: dict[str, int] = {}
        for n in pool:
            text = ast.get_source_segment(self.text.source, n) or ""
            names = _names(n)
            if not text or text == mine or not names <= visible:
                continue
            # Siblings (expressions over the same variables) make meaningful combinations
            # far more often than unrelated ones.
            weights[text] = 4 if names & own_names else 1
        if not weights:
            return None
        others = sorted(weights)
        return target, rng.choices(others, weights=[weights[o] for o in others])[0]

    def grow_expression(self, rng: random.Random) -> str | None:
        """``e`` becomes ``(e OP f)`` with ``f`` another expression of the region."""
        picked = self._two_expressions(rng)
        if picked is None:
            return None
        target, other = picked
        mine = ast.get_source_segment(self.text.source, target)
        return self.text.splice(target, f"({mine} {rng.choice(GROW_OPS)} {other})")

    def replace_expression(self, rng: random.Random) -> str | None:
        """Subtree replacement: ``e`` becomes another expression of the region."""
        picked = self._two_expressions(rng)
        if picked is None:
            return None
        target, other = picked
        return self.text.splice(target, f"({other})" if " " in other else other)

    def crossover(self, rng: random.Random) -> tuple[str, str] | None:
        """Uniform crossover of diff hunks between the parent and an inspiration."""
        source = self.text.source
        try:
            mine = split_regions(source)
        except RegionError:
            return None
        donors = list(self.inspirations)
        rng.shuffle(donors)
        for donor in donors:
            try:
                theirs = split_regions(donor.source)
            except RegionError:
                continue
            if len(theirs.evolvable) != len(mine.evolvable):
                continue
            parts, took_donor, kept_parent = [], False, False
            for a_text, b_text in zip(mine.evolvable, theirs.evolvable, strict=True):
                a, b = a_text.splitlines(keepends=True), b_text.splitlines(keepends=True)
                out: list[str] = []
                for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b).get_opcodes():
                    if tag == "equal":
                        out.extend(a[i1:i2])
                    elif rng.random() < 0.5:
                        out.extend(b[j1:j2])
                        took_donor = True
                    else:
                        out.extend(a[i1:i2])
                        kept_parent = True
                parts.append("".join(out))
            if took_donor and kept_parent:
                child = (
                    "".join(f + e for f, e in zip(mine.fixed, [*parts, ""], strict=True))
                    if mine.marked
                    else parts[0]
                )
                return child, donor.id
        return None


SIMPLE_OPS: tuple[tuple[str, int], ...] = (
    ("perturb_constant", 5),
    ("flip_compare", 2),
    ("swap_binop", 2),
    ("swap_boolop", 1),
    ("flip_bool", 1),
    ("swap_name", 1),
    ("swap_key", 2),
    ("delete_statement", 1),
    ("duplicate_statement", 1),
    ("swap_adjacent", 1),
    ("grow_expression", 2),
    ("replace_expression", 2),
)
CROSSOVER_WEIGHT = 3


def mutate_python(
    source: str, inspirations: Sequence[ProgramView], rng: random.Random, tries: int = 30
) -> Edit | None:
    """One random, syntactically valid edit inside the EVOLVE-BLOCK regions, or None."""
    try:
        ops = _PythonEdits(source, inspirations)
    except (SyntaxError, ValueError, RegionError, RecursionError):
        return mutate_numbers(source, rng, tries, language="python")
    names = [n for n, _ in SIMPLE_OPS] + (["crossover"] if inspirations else [])
    weights = [w for _, w in SIMPLE_OPS] + ([CROSSOVER_WEIGHT] if inspirations else [])
    for _ in range(tries):
        name = rng.choices(names, weights=weights, k=1)[0]
        crossed: tuple[str, ...] = ()
        if name == "crossover":
            result = ops.crossover(rng)
            child = result[0] if result else None
            crossed = (result[1],) if result else ()
        else:
            child = getattr(ops, name)(rng)
        if child is None or child == source:
            continue
        try:
            ast.parse(child)
        except SyntaxError:
            continue
        if edit_outside_regions(source, child) is None:
            return Edit(child, name, crossed)
    return None


def mutate_numbers(
    source: str, rng: random.Random, tries: int = 30, language: str = "c"
) -> Edit | None:
    """Perturb one numeric literal inside the evolvable regions (any language).

    Digits in comments and string literals are left alone; ``language`` says how those
    are written (``python``, else C-like).
    """
    try:
        spans = split_regions(source).evolvable_spans()
    except RegionError:
        return None
    text = _Text(source)
    skipped = [
        m.span() for m in _SKIPPED["python" if language == "python" else "c"].finditer(source)
    ]
    matches = []
    for m in _NUMBER.finditer(source):
        if any(a <= m.start() < b for a, b in skipped):
            continue
        line = source.count("\n", 0, m.start()) + 1
        if any(a <= line <= b for a, b in spans):
            matches.append(m)
    if not matches:
        return None
    for _ in range(tries):
        m = rng.choice(matches)
        body, exponent, suffix = m.group(1), m.group(2) or "", m.group(3) or ""
        if "." in body or exponent:
            value = float(body + exponent)
            new_value: float | int = _new_number(value, rng)
            new = repr(float(new_value))
        else:
            value_i = int(body)
            if value_i > 1 and value_i & (value_i - 1) == 0:
                new = str(rng.choice([value_i * 2, value_i // 2]))
            else:
                new = str(max(0, _new_number(value_i, rng)))
        literal = new + suffix
        if literal.startswith("-"):
            literal = f"({literal})"  # `x - -0.1` is fine, `x--0.1` is a decrement
        child = text.source[: m.start()] + literal + text.source[m.end() :]
        if child != source:
            return Edit(child, "perturb_number")
    return None


# How many edits one child gets: mostly one, sometimes a compound change that no single
# edit reaches (the single-edit neighbourhood of a good greedy is often flat).
EDIT_COUNTS = ((1, 0.6), (2, 0.25), (3, 0.15))


def mutate(
    source: str,
    language: str,
    inspirations: Sequence[ProgramView],
    rng: random.Random,
    tries: int = 5,
) -> Edit | None:
    """One to three edits; a compound edit that cancels itself out is drawn again."""
    for _ in range(tries):
        count = rng.choices([k for k, _ in EDIT_COUNTS], weights=[w for _, w in EDIT_COUNTS])[0]
        current, labels, crossed = source, [], list[str]()
        for _ in range(count):
            if language == "python":
                edit = mutate_python(current, inspirations, rng)
            else:
                edit = mutate_numbers(current, rng, language=language)
            if edit is None:
                break
            current = edit.source
            labels.append(edit.label)
            crossed.extend(edit.crossover)
        if labels and current != source:
            return Edit(current, "+".join(labels), tuple(dict.fromkeys(crossed)))
    return None


class OfflineMutator:
    """Model-free mutations; deterministic for a given request seed."""

    name = "offline"
    deterministic = True

    async def propose(self, request: MutationRequest) -> Proposal:
        rng = random.Random(request.rng_seed)
        parent = request.parent.source
        edit = mutate(parent, request.problem.language, request.inspirations, rng)
        if edit is None:
            call = CallRecord(
                model="offline",
                template="offline",
                prompt=f"mutate parent {request.parent.id}",
                response="",
                error="no applicable mutation in the EVOLVE-BLOCK region",
            )
            return Proposal(response="", call=call, mutation="offline:none")
        response = diff_block(parent, edit.source)
        call = CallRecord(
            model="offline",
            template="offline",
            choice_reason="offline mutator",
            prompt=f"{edit.label} on parent {request.parent.id}",
            response=response,
        )
        return Proposal(
            response=response,
            call=call,
            mutation=f"offline:{edit.label}",
            crossover_ids=edit.crossover,
        )
