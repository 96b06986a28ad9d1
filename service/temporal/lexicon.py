"""Loads and validates one language's temporal lexicon (a folder of TOML files).

Temporal knowledge is data: vocabulary tables, named regex fragments, and rules split by
type. Everything is checked at load time; the first problem raises ONE LexiconError that
names the file and the rule, so a broken lexicon never reaches the tagger.

Folder layout (see lexicon/en/ for the reference language):
  lexicon.toml   language metadata and the anchor the rule examples are written against
  vocab.toml     tables: surface word -> value (weekday, month, numbers, units, ...)
  fragments.toml named regex fragments; `{name}` includes a fragment, `{vocab:table}` a
                 table's words as an alternation, `{name@p}` a fragment with its groups
                 prefixed `p_` (so one rule can hold two months)
  date.toml, time.toml, duration.toml, set.toml   [[rule]] lists
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import re2

RULE_FILES: dict[str, str] = {
    "date.toml": "DATE",
    "time.toml": "TIME",
    "duration.toml": "DURATION",
    "set.toml": "SET",
}
TIMEX_TYPES = frozenset(RULE_FILES.values())
# A reference is `{name}`, `{vocab:table}` or `{name@prefix}`; regex quantifiers such as
# `{2,4}` never match it because they start with a digit.
_REF = re2.compile(r"\{(?P<kind>vocab:)?(?P<name>[a-z][a-z0-9_]*)(?:@(?P<prefix>[a-z][a-z0-9_]*))?\}")
_GROUP = re2.compile(r"\(\?P<(?P<name>[A-Za-z_][A-Za-z0-9_]*)>")
_MAX_DEPTH = 12
# DFA budget of the one RE2 set over every rule (see load); RE2's default is 8 MB.
RULE_SET_MAX_MEM = 32 << 20


class LexiconError(ValueError):
    """A lexicon file is broken; the message names the file and the rule."""


@dataclass(frozen=True, slots=True)
class Vocab:
    """One vocabulary table. Lookups ignore case and dots ("Sept." = "sept")."""

    name: str
    words: dict[str, Any]
    cased: frozenset[str]

    def get(self, surface: str) -> Any:
        return self.words.get(norm_word(surface))

    def alternation(self) -> str:
        # Longest first so "sept" wins over "sep"; cased words keep their spelling only.
        forms: list[str] = []
        for word in sorted(self.words, key=lambda w: (-len(w), w)):
            if word in self.cased_lower:
                continue
            forms.append(_escape_word(word))
        for word in sorted(self.cased, key=lambda w: (-len(w), w)):
            forms.append("(?-i:" + _escape_word(word) + ")")
        return "(?:" + "|".join(forms) + ")"

    @property
    def cased_lower(self) -> frozenset[str]:
        return frozenset(norm_word(w) for w in self.cased)


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    type: str
    priority: int
    pattern: str  # the expanded regex
    resolver: str
    params: dict[str, Any]
    examples: dict[str, str]
    file: str
    compiled: Any = field(compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Lexicon:
    language: str
    directory: Path
    example_anchor: str
    vocab: dict[str, Vocab]
    rules: tuple[Rule, ...]
    version: str
    # One automaton over every rule: tells which rules match a text at all, in one pass.
    rule_set: Any = field(compare=False, repr=False)


def norm_word(surface: str) -> str:
    return " ".join(surface.lower().replace(".", "").split())


def _escape_word(word: str) -> str:
    # Dots are optional ("Sept." and "Sept"), whitespace is any run of spaces or hyphens.
    parts = [re2.escape(p) for p in word.replace(".", "").split()]
    body = r"[\s-]+".join(parts)
    return body + r"\.?" if len(word) <= 5 else body


def _read(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise LexiconError(f"{path}: not valid TOML: {exc}") from None
    except OSError as exc:
        raise LexiconError(f"{path}: cannot read: {exc}") from None


def _load_vocab(path: Path) -> dict[str, Vocab]:
    tables: dict[str, Vocab] = {}
    if not path.exists():
        return tables
    for name, table in _read(path).items():
        if not isinstance(table, dict) or not isinstance(table.get("words"), dict):
            raise LexiconError(f"{path}: table [{name}] needs a [{name}.words] mapping")
        cased = table.get("cased", [])
        if not isinstance(cased, list) or not all(isinstance(c, str) for c in cased):
            raise LexiconError(f"{path}: [{name}].cased must be a list of words")
        words = {norm_word(k): v for k, v in table["words"].items()}
        for c in cased:
            if norm_word(c) not in words:
                raise LexiconError(f"{path}: [{name}].cased names {c!r}, which is not in its words")
        tables[name] = Vocab(name, words, frozenset(cased))
    return tables


class _Expander:
    def __init__(self, fragments: dict[str, str], vocab: dict[str, Vocab], where: str) -> None:
        self.fragments = fragments
        self.vocab = vocab
        self.where = where

    def expand(self, pattern: str, depth: int = 0, prefix: str = "") -> str:
        if depth > _MAX_DEPTH:
            raise LexiconError(f"{self.where}: fragments nest too deeply (a cycle?)")
        out: list[str] = []
        pos = 0
        for m in _REF.finditer(pattern):
            out.append(pattern[pos : m.start()])
            pos = m.end()
            name = m.group("name")
            if m.group("kind"):
                if name not in self.vocab:
                    raise LexiconError(f"{self.where}: unknown vocabulary table {{vocab:{name}}}")
                out.append(self.vocab[name].alternation())
                continue
            if name not in self.fragments:
                raise LexiconError(f"{self.where}: unknown fragment {{{name}}}")
            inner_prefix = prefix + (m.group("prefix") + "_" if m.group("prefix") else "")
            out.append("(?:" + self.expand(self.fragments[name], depth + 1, inner_prefix) + ")")
        out.append(pattern[pos:])
        text = "".join(out)
        if prefix:
            text = _GROUP.sub(lambda g: f"(?P<{prefix}{g.group('name')}>", text)
        return text


def load(directory: Path | str, resolvers: dict[str, Callable[..., Any]]) -> Lexicon:
    """Read, expand, compile and check every file of one language folder."""
    directory = Path(directory)
    if not directory.is_dir():
        raise LexiconError(f"{directory}: lexicon folder does not exist")
    meta = _read(directory / "lexicon.toml") if (directory / "lexicon.toml").exists() else {}
    language = str(meta.get("language", directory.name))
    example_anchor = str(meta.get("example_anchor", "2000-01-01T12:00:00+00:00"))
    vocab = _load_vocab(directory / "vocab.toml")
    frag_path = directory / "fragments.toml"
    fragments_raw = _read(frag_path).get("fragments", {}) if frag_path.exists() else {}
    fragments: dict[str, str] = {}
    for name, value in fragments_raw.items():
        if not isinstance(value, str):
            raise LexiconError(f"{frag_path}: fragment {name!r} must be a string")
        fragments[name] = value
    for name, value in fragments.items():
        _Expander(fragments, vocab, f"{frag_path}: fragment {name!r}").expand(value)

    rules: list[Rule] = []
    seen: dict[str, str] = {}
    digest = hashlib.sha256()
    for path in sorted(directory.glob("*.toml")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    for file_name, default_type in RULE_FILES.items():
        path = directory / file_name
        if not path.exists():
            continue
        entries = _read(path).get("rule", [])
        if not isinstance(entries, list):
            raise LexiconError(f"{path}: rules must be an array of [[rule]] tables")
        for i, entry in enumerate(entries):
            rules.append(_load_rule(path, i, entry, default_type, fragments, vocab, resolvers, seen))
    if not rules:
        raise LexiconError(f"{directory}: no rules found (expected date.toml, time.toml, ...)")
    # The set of every rule is one lazily built DFA. At RE2's default budget (8 MB) it ran
    # out of room at 120 English rules (each big vocabulary alternation adds
    # states) and RE2 then rebuilt its cache on every text: tagging became 4x slower with no
    # error. The budget caps the cache; only the states a text visits are ever built.
    options = re2.Options()
    options.max_mem = RULE_SET_MAX_MEM
    rule_set = re2.Set.SearchSet(options)
    for rule in rules:
        rule_set.Add("(?i)" + rule.pattern)
    rule_set.Compile()
    return Lexicon(language, directory, example_anchor, vocab, tuple(rules),
                   digest.hexdigest()[:12], rule_set)


def _load_rule(path: Path, index: int, entry: Any, default_type: str, fragments: dict[str, str],
               vocab: dict[str, Vocab], resolvers: dict[str, Callable[..., Any]],
               seen: dict[str, str]) -> Rule:
    if not isinstance(entry, dict):
        raise LexiconError(f"{path}: rule #{index + 1} is not a table")
    name = entry.get("name")
    where = f"{path}: rule {name!r}" if name else f"{path}: rule #{index + 1}"
    if not isinstance(name, str) or not name:
        raise LexiconError(f"{where}: missing 'name'")
    if name in seen:
        raise LexiconError(f"{where}: duplicate rule name (first defined in {seen[name]})")
    seen[name] = path.name
    unknown = set(entry) - {"name", "priority", "pattern", "resolver", "type", "params", "examples"}
    if unknown:
        raise LexiconError(f"{where}: unknown keys {sorted(unknown)}")
    priority = entry.get("priority")
    if not isinstance(priority, int) or isinstance(priority, bool):
        raise LexiconError(f"{where}: 'priority' must be an integer")
    pattern = entry.get("pattern")
    if not isinstance(pattern, str) or not pattern:
        raise LexiconError(f"{where}: missing 'pattern'")
    resolver = entry.get("resolver")
    if resolver not in resolvers:
        raise LexiconError(f"{where}: unknown resolver {resolver!r}")
    timex_type = entry.get("type", default_type)
    if timex_type not in TIMEX_TYPES:
        raise LexiconError(f"{where}: type {timex_type!r} is not one of {sorted(TIMEX_TYPES)}")
    params = entry.get("params", {})
    examples = entry.get("examples", {})
    if not isinstance(params, dict) or not isinstance(examples, dict):
        raise LexiconError(f"{where}: 'params' and 'examples' must be tables")
    if not all(isinstance(v, str) for v in examples.values()):
        raise LexiconError(f"{where}: every example maps a phrase to a value string")
    expanded = _Expander(fragments, vocab, where).expand(pattern)
    try:
        compiled = re2.compile("(?i)" + expanded)
    except re2.error as exc:
        raise LexiconError(f"{where}: bad regex ({exc}): {expanded[:200]}") from None
    if compiled.search("") is not None:
        raise LexiconError(f"{where}: pattern matches the empty string")
    return Rule(name, timex_type, priority, expanded, resolver, params, examples, path.name, compiled)
