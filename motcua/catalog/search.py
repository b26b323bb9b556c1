"""Procedure search that understands how people ask.

In-process inverted index over each procedure's citizen name, aliases, official name and field, with
accents removed, colloquial phrases mapped to catalogue words (data file `search_synonyms.json`), and
typo tolerance by edit distance (a deletion index, as in SymSpell). Ranking: matched words weighted by
rarity (IDF) and by where they matched, a bonus for matched word pairs and whole phrases, and a small
popularity prior. Built from plain dicts so the benchmark can run it on a generated catalogue.
"""

from __future__ import annotations

import functools
import heapq
import itertools
import json
import math
import re
import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from .text import fold, tokens

SYNONYMS_FILE = Path(__file__).parent / "data" / "search_synonyms.json"
ENGLISH_FILE = Path(__file__).parent / "data" / "procedures_en.json"
_CODE = re.compile(r"\b\d\.\d{6}\b")

# Where a word matched: aliases and the citizen name say how people ask, so they weigh most.
WEIGHTS = {"alias": 1.0, "citizen": 1.0, "name": 0.8, "field": 0.35}
BIGRAM_FACTOR = 0.6
FUZZY_FACTOR = 0.7


@dataclass(frozen=True)
class Hit:
    code: str
    name: str
    field: str
    score: float


@dataclass(frozen=True)
class Evidence:
    coverage: float  # share of the question's words the procedure matches
    distinctive: bool  # a rare word or word pair matched exactly
    phrase: bool  # a rare word pair matched exactly
    whole: bool = False  # the whole question is one of the procedure's names or aliases


@dataclass(frozen=True)
class Entry:
    code: str
    name: str
    citizen_name: str
    field_name: str
    aliases: tuple[str, ...]
    popularity: int


def load_synonyms(path: Path = SYNONYMS_FILE) -> tuple[dict[str, str], frozenset[str]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    phrases = {fold(k): fold(v) for k, v in data["phrases"].items()}
    stop = frozenset(fold(w) for w in data["stopwords"])
    return phrases, stop


def _deletes(word: str, distance: int) -> set[str]:
    out, frontier = {word}, {word}
    for _ in range(distance):
        frontier = {w[:i] + w[i + 1 :] for w in frontier for i in range(len(w))}
        out |= frontier
    return out


def _edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    rows = [list(range(len(b) + 1))]
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            row[j] = min(rows[i - 1][j] + 1, row[j - 1] + 1, rows[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], rows[i - 2][j - 2] + 1)
        rows.append(row)
    return rows[-1][-1]


class SearchIndex:
    def __init__(self, entries: list[Entry], synonyms: dict[str, str] | None = None, stopwords=frozenset()):
        self.entries = entries
        self.synonyms = sorted((synonyms or {}).items(), key=lambda kv: -len(kv[0]))
        self.stopwords = stopwords
        self.by_code = {e.code: i for i, e in enumerate(entries)}
        postings: dict[str, dict[int, float]] = defaultdict(dict)
        self.phrases: list[set[str]] = []
        for i, entry in enumerate(entries):
            sources = [("name", entry.name), ("citizen", entry.citizen_name), ("field", entry.field_name)]
            sources += [("alias", a) for a in entry.aliases]
            phrases = set()
            for kind, text in sources:
                words = self._apply_synonyms(" ".join(tokens(text))).split()
                if kind in ("alias", "citizen", "name"):
                    phrases.add(" ".join(w for w in words if w not in stopwords))
                weight = WEIGHTS[kind]
                for term in self._terms(words):
                    if postings[term].get(i, 0) < weight:
                        postings[term][i] = weight
            self.phrases.append(phrases)
        n = max(len(entries), 1)
        self.postings = {t: list(docs.items()) for t, docs in postings.items()}
        self.idf = {t: math.log(1 + (n - len(d) + 0.5) / (len(d) + 0.5)) for t, d in self.postings.items()}
        self.prior = [0.03 * math.log1p(e.popularity) for e in entries]
        self.vocabulary = [t for t in self.postings if " " not in t]
        self.deletes: dict[str, list[str]] = defaultdict(list)
        for word in self.vocabulary:
            if len(word) >= 3:
                for variant in _deletes(word, 2 if len(word) >= 7 else 1):
                    self.deletes[variant].append(word)

    @staticmethod
    def _terms(words: list[str]) -> list[str]:
        return words + [f"{a} {b}" for a, b in itertools.pairwise(words)]

    def _apply_synonyms(self, folded: str) -> str:
        text = f" {folded} "
        for phrase, replacement in self.synonyms:
            text = text.replace(f" {phrase} ", f" {replacement} ")
        return text.strip()

    def normalize_query(self, query: str) -> list[str]:
        """Folded words of the query, colloquial phrases replaced (the same mapping as the index), filler
        words dropped."""
        text = f" {self._apply_synonyms(' '.join(tokens(query)))} "
        for stop in sorted(self.stopwords, key=len, reverse=True):
            text = text.replace(f" {stop} ", " ")
        return text.split()

    def known_words(self, query: str) -> int:
        """How many of the query's words this index knows exactly: tells which language a question is in."""
        return sum(1 for w in self.normalize_query(query) if w in self.postings)

    def evidence(self, query: str, code: str) -> Evidence:
        """How well one procedure covers the question: the share of the question's words it matches (a
        word matched only through a typo counts half), and whether a distinctive word or word pair (found
        in only a few procedures) matched exactly. A high score alone is not evidence: "xin cấp cho con"
        matches many procedures on common words, and "hỏi chút" is one typo away from "di chúc"."""
        words = self.normalize_query(query)
        doc = self.by_code.get(code)
        if not words or doc is None:
            return Evidence(0.0, False, False)
        rare = max(3, len(self.entries) // 10)
        matched, word, pair, exact = 0.0, False, False, []
        for w in words:
            hit = next((t for t, _ in self._expand(w) if any(d == doc for d, _ in self.postings[t])), None)
            exact.append(hit if hit == w else None)
            if hit:
                matched += 1.0 if hit == w else 0.5
                word = word or (hit == w and len(self.postings[hit]) <= rare)
        for a, b in itertools.pairwise(exact):
            key = f"{a} {b}"
            if a and b and key in self.postings and any(d == doc for d, _ in self.postings[key]):
                pair = pair or len(self.postings[key]) <= rare
        joined = " ".join(t for t in (next(iter(self._expand(w)), (None, 0))[0] for w in words) if t)
        return Evidence(matched / len(words), word or pair, pair, bool(joined) and joined in self.phrases[doc])

    def _expand(self, word: str) -> list[tuple[str, float]]:
        if word in self.postings:
            return [(word, 1.0)]
        if len(word) < 4:
            return []
        limit = 2 if len(word) >= 7 else 1
        candidates = set()
        for variant in _deletes(word, limit):
            candidates.update(self.deletes.get(variant, ()))
        close = [(c, FUZZY_FACTOR) for c in candidates if _edit_distance(word, c, limit) <= limit]
        return sorted(close, key=lambda cw: -len(self.postings[cw[0]]))[:3]

    def search(self, query: str, limit: int = 10) -> list[Hit]:
        code_match = _CODE.search(query or "")
        words = self.normalize_query(query)
        scores: dict[int, float] = defaultdict(float)
        if code_match and code_match.group(0) in self.by_code:
            scores[self.by_code[code_match.group(0)]] += 10.0
        expanded = [self._expand(w) for w in words]
        total = 0.0
        for options in expanded:
            if not options:
                total += 1.0  # an unknown word still counts against full coverage
                continue
            best_idf = max(self.idf[t] for t, _ in options)
            total += best_idf
            seen: dict[int, float] = {}
            for term, factor in options:
                idf = self.idf[term]
                for doc, weight in self.postings[term]:
                    value = idf * weight * factor
                    if value > seen.get(doc, 0.0):
                        seen[doc] = value
            for doc, value in seen.items():
                scores[doc] += value
        for left, right in itertools.pairwise(expanded):
            for a, fa in left[:1]:
                for b, fb in right[:1]:
                    pair = f"{a} {b}"
                    if pair in self.postings:
                        idf = self.idf[pair] * BIGRAM_FACTOR * fa * fb
                        for doc, weight in self.postings[pair]:
                            scores[doc] += idf * weight
        if not scores:
            return []
        joined = " ".join(t for options in expanded for t, _ in options[:1])
        norm = max(total, 1e-9)
        prior = self.prior
        # Only the best candidates need the phrase check and the final order: no full sort.
        shortlist = heapq.nlargest(max(limit * 3, 30), scores.items(), key=lambda kv: kv[1] / norm + prior[kv[0]])
        ranked = []
        for doc, raw in shortlist:
            value = raw / norm + prior[doc]
            if joined and joined in self.phrases[doc]:
                value += 0.5
            ranked.append((value, doc))
        ranked.sort(key=lambda x: (-x[0], self.entries[x[1]].code))
        return [
            Hit(self.entries[d].code, self.entries[d].name, self.entries[d].field_name, round(v, 4))
            for v, d in ranked[:limit]
        ]


# --- the indexes of the current catalogue, shared by the process --------------------------------
_lock = threading.Lock()
_state: dict = {"index": None, "english": None, "signature": None, "checked": 0.0}
RECHECK_SECONDS = 30


def _signature():
    from django.db.models import Count, Max

    from .models import Procedure

    agg = Procedure.objects.aggregate(n=Count("id"), last=Max("updated_at"))
    return agg["n"], agg["last"]


def english_data() -> dict:
    """English names, one-line summaries and search words per procedure code (data/procedures_en.json)."""
    return _english_cached()


@functools.cache
def _english_cached() -> dict:
    return json.loads(ENGLISH_FILE.read_text(encoding="utf-8"))


def build_english_index(entries: list[Entry]) -> SearchIndex:
    """The same ranking over the English lines of each procedure (name, aliases; the summary as context)."""
    data = english_data()
    english = []
    for entry in entries:
        item = data["procedures"].get(entry.code)
        if item:
            english.append(
                Entry(entry.code, item["name"], "", item["summary"], tuple(item["aliases"]), entry.popularity)
            )
    synonyms = {fold(k): fold(v) for k, v in data["synonyms"].items()}
    return SearchIndex(english, synonyms, frozenset(fold(w) for w in data["stopwords"]))


def build_index_from_db() -> SearchIndex:
    from .models import Procedure

    entries = [
        Entry(p.code, p.name, p.citizen_name, p.field.name, tuple(p.aliases), p.popularity)
        for p in Procedure.objects.current().select_related("field")
    ]
    synonyms, stop = load_synonyms()
    return SearchIndex(entries, synonyms, stop)


def search_indexes() -> tuple[SearchIndex, SearchIndex]:
    """The cached Vietnamese and English indexes, rebuilt when the catalogue changed (checked at most every
    30 s per process)."""
    now = time.monotonic()
    with _lock:
        if _state["index"] is not None and now - _state["checked"] < RECHECK_SECONDS:
            return _state["index"], _state["english"]
        signature = _signature()
        if _state["index"] is None or signature != _state["signature"]:
            _state["index"] = build_index_from_db()
            _state["english"] = build_english_index(_state["index"].entries)
            _state["signature"] = signature
        _state["checked"] = now
        return _state["index"], _state["english"]


def search_index() -> SearchIndex:
    return search_indexes()[0]


def _answering_index(query: str) -> tuple[SearchIndex, SearchIndex | None]:
    vietnamese, english = search_indexes()
    vi_known, en_known = vietnamese.known_words(query), english.known_words(query)
    if vi_known > en_known:
        return vietnamese, None
    if en_known > vi_known:
        return english, None
    return vietnamese, english


def evidence(query: str, code: str) -> Evidence:
    """`SearchIndex.evidence` in the index that answers the question (the better of both on a tie)."""
    first, second = _answering_index(query)
    result = first.evidence(query, code)
    other = second.evidence(query, code) if second else result
    return max(result, other, key=lambda e: (e.coverage, e.distinctive))


def search_both(query: str, limit: int = 10) -> list[Hit]:
    """Search in the language the question is written in: the index that knows more of its words answers
    (Vietnamese on a tie, with English hits merged in), so "birth certificate for my child" finds the
    birth registration whatever the interface language."""
    vietnamese, english = search_indexes()
    vi_known, en_known = vietnamese.known_words(query), english.known_words(query)
    if vi_known > en_known:
        return vietnamese.search(query, limit=limit)
    hits = {h.code: h for h in english.search(query, limit=limit)}
    if en_known == vi_known:
        for hit in vietnamese.search(query, limit=limit):
            if hit.code not in hits or hit.score > hits[hit.code].score:
                hits[hit.code] = hit
    names = {e.code: e for e in vietnamese.entries}
    ranked = sorted(hits.values(), key=lambda h: (-h.score, h.code))[:limit]
    return [Hit(h.code, names[h.code].name, names[h.code].field_name, h.score) for h in ranked if h.code in names]


def search_index_invalidate() -> None:
    with _lock:
        _state["index"] = None
