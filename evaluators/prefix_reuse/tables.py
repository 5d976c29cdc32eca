"""Tables for the prefix-reuse problem: CSV files and a seeded synthetic generator.

A table is ``columns`` (names), ``rows`` (lists of strings, one per column) and
``groups`` (lists of column indexes that must stay together, in that order, in every
prompt: an id and the name it stands for, say).

The generator builds tables the way real ones look: an entity (a beer, a movie, a
product, a database) carries attributes that functionally depend on it (its name, style,
description), facts about each row come from skewed distributions (a few reviewers write
most reviews), ratings are correlated through the entity's quality, and free text or
timestamps are nearly unique. Rows come grouped by entity, as an export would.
"""

from __future__ import annotations

import csv
import functools
import itertools
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

SEPARATOR = "\n"  # ends every field in a prompt; never inside a value


class TableError(ValueError):
    """A table is malformed or cannot be read; the message says what and where."""


@dataclass
class Table:
    columns: list[str]
    rows: list[list[str]]
    groups: list[list[int]] = field(default_factory=list)

    def to_input(self) -> dict[str, object]:
        return {"columns": list(self.columns), "rows": self.rows, "groups": self.groups}


def read_csv(path: str | Path, merge: Sequence[Sequence[str]] = ()) -> Table:
    """A CSV file with a header row; ``merge`` names column groups that stay together."""
    p = Path(path)
    try:
        with p.open(encoding="utf-8", newline="") as fh:
            reader = csv.reader(fh)
            header = next(reader, None)
            if not header:
                raise TableError(f"{p}: empty file (expected a header row)")
            rows = []
            for number, row in enumerate(reader, start=2):
                if len(row) != len(header):
                    raise TableError(
                        f"{p}:{number}: {len(row)} fields, the header has {len(header)}"
                    )
                # A separator inside a value would blur field boundaries: make it a space.
                rows.append([v.replace(SEPARATOR, " ").replace("\r", " ") for v in row])
    except FileNotFoundError:
        raise TableError(f"{p}: file not found") from None
    except (UnicodeDecodeError, csv.Error) as exc:
        raise TableError(f"{p}: not a readable CSV file ({exc})") from None
    index = {name: k for k, name in enumerate(header)}
    groups = []
    for names in merge:
        missing = [n for n in names if n not in index]
        if missing:
            raise TableError(f"{p}: no column {missing[0]!r} to merge")
        groups.append([index[n] for n in names])
    return Table(list(header), rows, groups)


def slice_rows(table: Table, start: int, stop: int) -> Table:
    return Table(list(table.columns), table.rows[start:stop], [list(g) for g in table.groups])


_SYLLABLES = [a + b for a in "bcdfghklmnprstvz" for b in "aeiou"]


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(1, 4)))


def _text(rng: random.Random, words: int) -> str:
    return " ".join(_word(rng) for _ in range(words)).capitalize() + "."


@functools.lru_cache(maxsize=64)
def _zipf_weights(n: int, alpha: float) -> list[float]:
    return list(itertools.accumulate(1.0 / (k + 1) ** alpha for k in range(n)))


def _zipf(rng: random.Random, items: Sequence[str], alpha: float) -> str:
    """Item k with probability proportional to 1 / (k + 1) ** alpha."""
    return rng.choices(items, cum_weights=_zipf_weights(len(items), alpha))[0]


def _score(rng: random.Random, quality: float, top: int) -> str:
    value = round(min(top, max(1, rng.gauss(quality * top, top * 0.12))))
    return f"{value}/{top}"


def _reviews(rng: random.Random, rows: int) -> Table:
    """Beer-review-like: reviewer, time, four correlated scores, beer id + name, style."""
    styles = [
        f"{_word(rng).capitalize()} {rng.choice(['Ale', 'Lager', 'Stout', 'IPA'])}"
        for _ in range(60)
    ]
    users = [_word(rng) + str(rng.randint(1, 999)) for _ in range(max(50, rows // 5))]
    columns = [
        "review/user",
        "review/time",
        "review/overall",
        "review/taste",
        "review/palate",
        "review/appearance",
        "beer/name",
        "beer/style",
        "beer/id",
    ]
    out: list[list[str]] = []
    next_id = rng.randint(1, 5000)
    while len(out) < rows:
        brewery = _word(rng).capitalize() + " " + _word(rng).capitalize()
        for _ in range(rng.randint(1, 6)):
            name = f"{brewery} {_word(rng).capitalize()} {rng.choice(['Ale', 'IPA', 'Porter'])}"
            next_id += rng.randint(1, 40)
            beer_id, style = str(next_id), rng.choice(styles)
            quality = rng.uniform(0.45, 0.9)
            for _ in range(max(1, int(rng.paretovariate(1.2)))):
                stamp = str(1_000_000_000 + rng.randrange(300_000_000) // 86_400 * 86_400)
                out.append(
                    [
                        _zipf(rng, users, 1.1),
                        stamp,
                        _score(rng, quality, 20),
                        _score(rng, quality, 10),
                        _score(rng, quality, 5),
                        _score(rng, quality, 5),
                        name,
                        style,
                        beer_id,
                    ]
                )
    return Table(columns, out[:rows], [[8, 6]])


def _movies(rng: random.Random, rows: int) -> Table:
    """Movie-review-like: a long movie description, title and link that travel together."""
    critics = [f"{_word(rng).capitalize()} {_word(rng).capitalize()}" for _ in range(400)]
    outlets = [f"{_word(rng).capitalize()} Times" for _ in range(120)]
    columns = [
        "movieinfo",
        "movietitle",
        "rottentomatoeslink",
        "critic",
        "topcritic",
        "publisher",
        "reviewtype",
        "reviewscore",
        "reviewcontent",
    ]
    out: list[list[str]] = []
    while len(out) < rows:
        title = " ".join(_word(rng).capitalize() for _ in range(rng.randint(1, 4)))
        info = _text(rng, rng.randint(25, 70))
        link = "m/" + title.lower().replace(" ", "_")
        fresh = rng.random()
        for _ in range(max(1, int(rng.paretovariate(1.0)))):
            good = rng.random() < fresh
            out.append(
                [
                    info,
                    title,
                    link,
                    _zipf(rng, critics, 1.0),
                    "True" if rng.random() < 0.25 else "False",
                    _zipf(rng, outlets, 1.2),
                    "Fresh" if good else "Rotten",
                    rng.choice(["", "3/5", "4/5", "B", "2/4"]),
                    _text(rng, rng.randint(8, 40)),
                ]
            )
    return Table(columns, out[:rows], [[0, 1, 2]])


def _products(rng: random.Random, rows: int) -> Table:
    """Product-review-like: a long title with its id, category, rating, verified flag."""
    categories = [f"{_word(rng).capitalize()} & {_word(rng).capitalize()}" for _ in range(30)]
    columns = [
        "product_title",
        "parent_asin",
        "main_category",
        "rating",
        "verified_purchase",
        "helpful_vote",
        "text",
    ]
    out: list[list[str]] = []
    while len(out) < rows:
        title = _text(rng, rng.randint(6, 18))
        asin = "B0" + "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789") for _ in range(8))
        category = _zipf(rng, categories, 0.9)
        level = rng.uniform(2.5, 4.8)
        for _ in range(max(1, int(rng.paretovariate(1.1)))):
            rating = f"{min(5, max(1, round(rng.gauss(level, 0.9)))):.1f}"
            out.append(
                [
                    title,
                    asin,
                    category,
                    rating,
                    rng.choice(["True", "True", "False"]),
                    str(int(rng.expovariate(0.7))),
                    _text(rng, rng.randint(5, 60)),
                ]
            )
    return Table(columns, out[:rows], [[0, 1]])


def _questions(rng: random.Random, rows: int) -> Table:
    """Text-to-SQL-like: a database id, its long schema text, a question and its evidence."""
    databases = []
    for _ in range(rng.randint(8, 20)):
        tables = [
            f"CREATE TABLE {_word(rng)} ({', '.join(_word(rng) for _ in range(6))});"
            for _ in range(rng.randint(2, 6))
        ]
        databases.append((_word(rng) + "_" + _word(rng), " ".join(tables)))
    columns = ["db_id", "schema", "difficulty", "question", "evidence"]
    out = []
    for _ in range(rows):
        db_id, schema = databases[min(len(databases) - 1, int(rng.expovariate(0.25)))]
        level = rng.choice(["simple", "simple", "moderate", "challenging"])
        evidence = "" if rng.random() < 0.3 else _text(rng, rng.randint(4, 15))
        out.append([db_id, schema, level, _text(rng, rng.randint(8, 25)), evidence])
    out.sort(key=lambda r: r[0])
    return Table(columns, out, [[0, 1]])


KINDS = {"reviews": _reviews, "movies": _movies, "products": _products, "questions": _questions}


def generate(kind: str, seed: object, rows: int) -> Table:
    """A synthetic table of ``rows`` rows of the given kind, deterministic for ``seed``."""
    if kind not in KINDS:
        raise TableError(f"unknown table kind {kind!r} (known: {', '.join(KINDS)})")
    return KINDS[kind](random.Random(f"prefix-reuse:{kind}:{seed}"), rows)
