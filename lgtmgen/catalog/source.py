"""Read catalog YAML into plain data that remembers where every key came from.

Parsing uses libyaml's composer through PyYAML's C binding (ruamel.yaml's pure
Python composer is five to eight times slower, which a pre-commit hook feels),
with PyYAML's base loader, which leaves every scalar untagged: scalars are
resolved here, once, with YAML 1.2 core rules, so ``NO`` stays a string and
``0777`` an integer of value 777, as in the Go programs the bundle feeds.
Explicit core tags are honoured (``!!str 123`` is the string ``123``, ``!!int``,
``!!float``, ``!!bool`` and ``!!null`` must hold what they name); any other tag
is refused.
Mappings and sequences come back as `SourceMap` and `SourceList`: a dict and a
list that carry the file and the line and column of every key and item.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, ClassVar, NamedTuple

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from lgtmgen.diagnostics import Diagnostic, Location

MAX_DEPTH = 64
MAX_NODES = 2_000_000

Pos = tuple[int, int]


class Alias(NamedTuple):
    """A value written once under an anchor (``&name``) and given again as ``*name``."""

    anchor: str
    written_at: Pos
    """Where the anchored value starts."""


# What `_UntaggedLoader` gives every node without an explicit tag: not a YAML tag, so an
# explicit `!!str` stays distinguishable from a plain scalar that merely resolves to a string.
_UNTAGGED_SCALAR = "lgtmgen:untagged-scalar"
_UNTAGGED_COLLECTION = "lgtmgen:untagged-collection"
_CORE = "tag:yaml.org,2002:"
_COLLECTION_TAGS = frozenset({_UNTAGGED_COLLECTION, _CORE + "seq", _CORE + "map"})


class SourceMap(dict[str, Any]):
    """A mapping from a catalog file; `keys_at[key]` and `values_at[key]` are (line, column).

    A value given through an alias (``key: *defaults``) has `values_at[key]` at the alias and
    `aliases[key]` naming its anchor; the positions inside the value are those of the anchored text.
    """

    __slots__ = ("aliases", "file", "keys_at", "start", "values_at")
    file: str
    start: Pos
    keys_at: dict[str, Pos]
    values_at: dict[str, Pos]
    aliases: dict[str, Alias] | None


class SourceList(list[Any]):
    """A sequence from a catalog file; `items_at[i]` is (line, column).

    `item_files` is set when sections of several files were merged into one list. An item given
    through an alias has `items_at[i]` at the alias and `aliases[i]` naming its anchor.
    """

    __slots__ = ("aliases", "file", "item_files", "items_at", "start")
    file: str
    start: Pos
    items_at: list[Pos]
    item_files: list[str] | None
    aliases: dict[int, Alias] | None

    @classmethod
    def at(cls, file: str, start: Pos) -> SourceList:
        """An empty sequence that starts at `start` of `file`."""
        made = cls()
        made.file, made.start, made.items_at, made.item_files, made.aliases = file, start, [], None, None
        return made

    def file_of(self, index: int) -> str:
        return self.item_files[index] if self.item_files else self.file

    def extend_items(self, other: SourceList) -> None:
        """Append the items of `other` (another file's, perhaps) with their positions, files and aliases."""
        if self.item_files is None:
            self.item_files = [self.file] * len(self)
        self.item_files += [other.file_of(i) for i in range(len(other))]  # appended: one file at a time stays linear
        if other.aliases:
            self.aliases = {**(self.aliases or {}), **{len(self) + i: alias for i, alias in other.aliases.items()}}
        self.extend(other)
        self.items_at.extend(other.items_at)

    def keep_only(self, indexes: list[int]) -> None:
        """Keep the items at `indexes`, in that order, with their positions, files and aliases."""
        files = [self.file_of(i) for i in indexes]
        aliases = self.aliases or {}
        self[:] = [self[i] for i in indexes]
        self.items_at = [self.items_at[i] for i in indexes]
        self.item_files = files
        self.aliases = {new: aliases[old] for new, old in enumerate(indexes) if old in aliases} or None


_NULL = re.compile(r"~|null|Null|NULL|")
_TRUE = re.compile(r"true|True|TRUE")
_FALSE = re.compile(r"false|False|FALSE")
_INT10 = re.compile(r"[-+]?[0-9]+")
_INT8 = re.compile(r"0o[0-7]+")
_INT16 = re.compile(r"0x[0-9a-fA-F]+")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_INF = re.compile(r"[-+]?\.(inf|Inf|INF)")
_NAN = re.compile(r"\.(nan|NaN|NAN)")


_NOT_STRING_STARTS = frozenset("tTfFnN~")


def resolve_plain(text: str) -> Any:
    """Resolve a plain scalar with the YAML 1.2 core schema."""
    first = text[:1]
    if first.isalpha() and first not in _NOT_STRING_STARTS:
        return text  # most catalog scalars are names: no other core-schema form starts with a letter
    if _NULL.fullmatch(text):
        return None
    if _TRUE.fullmatch(text):
        return True
    if _FALSE.fullmatch(text):
        return False
    if _INT10.fullmatch(text):
        return int(text)
    if _INT8.fullmatch(text):
        return int(text, 0)
    if _INT16.fullmatch(text):
        return int(text, 0)
    if _FLOAT.fullmatch(text):
        return float(text)
    if _INF.fullmatch(text):
        return float("-inf") if text.startswith("-") else float("inf")
    if _NAN.fullmatch(text):
        return float("nan")
    return text


@dataclass
class _Budget:
    """What converting one document has spent and seen."""

    nodes: int = 0
    aliases: list[tuple[str, Pos]] | None = None
    """Every alias of the document (anchor name, where it is written), in document order; None
    when the text has no anchor."""
    next_alias: int = 0
    seen: set[int] | None = None
    """The nodes converted so far, when the document has aliases: libyaml gives an alias the
    anchored node itself, so a node met again outside an alias's expansion is the next alias."""
    expanding: int = 0


class YamlProblem(Exception):
    def __init__(self, check: str, message: str, line: int, column: int) -> None:
        super().__init__(message)
        self.check = check
        self.message = message
        self.line = line
        self.column = column


class _UntaggedLoader(yaml.CBaseLoader):
    """libyaml's composer with the cheapest resolver: every untagged node gets its kind's tag.

    The base resolver does the same through generic lookups, a Python call per
    scalar; this one is 40% faster on large catalogs. Explicit tags never reach
    it (libyaml keeps them), so `_convert` tells them apart.
    """

    _KIND_TAGS: ClassVar[dict[type[Node], str]] = {
        ScalarNode: _UNTAGGED_SCALAR,
        SequenceNode: _UNTAGGED_COLLECTION,
        MappingNode: _UNTAGGED_COLLECTION,
    }

    def resolve(self, kind: type[Node], value: object, implicit: object) -> str:
        return self._KIND_TAGS[kind]


def _pos(node: Node) -> Pos:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


def _unsupported_tag(node: Node) -> YamlProblem:
    shown = "!!" + node.tag.removeprefix(_CORE) if node.tag.startswith(_CORE) else node.tag
    return YamlProblem(
        "yaml/tag",
        f"YAML tags such as {shown} are not supported in a catalog "
        "(only the core scalar tags !!str, !!int, !!float, !!bool and !!null)",
        *_pos(node),
    )


# What each explicit core scalar tag accepts, read with the YAML 1.2 core schema.
_TAG_TYPES: dict[str, tuple[type, ...]] = {
    _CORE + "int": (int,),
    _CORE + "float": (float, int),
    _CORE + "bool": (bool,),
    _CORE + "null": (type(None),),
}


def _tagged_scalar(node: ScalarNode) -> Any:
    """An explicitly tagged scalar: `!!str` keeps the text, the others must hold their type."""
    if node.tag == _CORE + "str":
        return node.value
    wanted = _TAG_TYPES.get(node.tag)
    if wanted is None:
        raise _unsupported_tag(node)
    value = resolve_plain(node.value)
    # bool is an int in Python: `!!int true` must not pass as 1.
    if not isinstance(value, wanted) or (isinstance(value, bool) and bool not in wanted):
        kind = node.tag.removeprefix(_CORE)
        raise YamlProblem(
            "yaml/tag", f"{node.value!r} is not a valid !!{kind} value", *_pos(node)
        )
    if node.tag == _CORE + "float" and isinstance(value, int | float):
        return float(value)  # `!!float 1` is 1.0
    return value


def _too_large(node: Node) -> YamlProblem:
    return YamlProblem(
        "yaml/too-large",
        f"the document expands to more than {MAX_NODES:,} nodes "
        "(an alias bomb, or a catalog far larger than any real one)",
        *_pos(node),
    )


def _alias_of(node: Node, budget: _Budget) -> tuple[str, Pos] | None:
    """The alias this occurrence of `node` is written as (its anchor's name and the alias's position),
    or None where the node is written out."""
    if budget.seen is None or budget.expanding:
        return None
    if id(node) not in budget.seen:
        budget.seen.add(id(node))
        return None
    assert budget.aliases is not None
    if budget.next_alias >= len(budget.aliases):
        return None
    budget.next_alias += 1
    return budget.aliases[budget.next_alias - 1]


def _convert_item(node: Node, file: str, depth: int, budget: _Budget) -> tuple[Any, Pos, Alias | None]:
    """A mapping value or sequence item: its data, its position, and the anchor it is an alias of."""
    alias = _alias_of(node, budget)
    if alias is None:
        return _convert(node, file, depth, budget), _pos(node), None
    budget.expanding += 1
    try:
        return _convert(node, file, depth, budget), alias[1], Alias(alias[0], _pos(node))
    finally:
        budget.expanding -= 1


def _convert(node: Node, file: str, depth: int, budget: _Budget) -> Any:
    budget.nodes += 1
    if budget.nodes > MAX_NODES:
        raise _too_large(node)
    if depth > MAX_DEPTH:
        line, col = _pos(node)
        raise YamlProblem("yaml/too-deep", f"nesting deeper than {MAX_DEPTH} levels", line, col)
    if isinstance(node, ScalarNode):
        if node.tag == _UNTAGGED_SCALAR:
            return resolve_plain(node.value) if not node.style else node.value
        return _tagged_scalar(node)
    if node.tag not in _COLLECTION_TAGS:
        raise _unsupported_tag(node)
    if isinstance(node, SequenceNode):
        seq = SourceList.at(file, _pos(node))
        for item in node.value:
            if budget.seen is None:  # no alias in the text: the usual case, kept cheap
                seq.items_at.append(_pos(item))
                seq.append(_convert(item, file, depth + 1, budget))
                continue
            data, at, anchor = _convert_item(item, file, depth + 1, budget)
            if anchor is not None:
                seq.aliases = seq.aliases or {}
                seq.aliases[len(seq)] = anchor
            seq.items_at.append(at)
            seq.append(data)
        return seq
    if isinstance(node, MappingNode):
        mapping = SourceMap()
        mapping.file, mapping.start = file, _pos(node)
        mapping.keys_at, mapping.values_at, mapping.aliases = {}, {}, None
        for key_node, value_node in node.value:
            if key_node.value == "<<" and isinstance(key_node, ScalarNode) and not key_node.style:
                line, col = _pos(key_node)
                raise YamlProblem(
                    "yaml/merge-key",
                    "merge keys (<<) are not supported; write the keys out or use a default",
                    line,
                    col,
                )
            if not isinstance(key_node, ScalarNode):
                line, col = _pos(key_node)
                raise YamlProblem(
                    "yaml/complex-key", "mapping keys must be plain strings", line, col
                )
            # A key written as an alias (`*name: ...`) is where the alias is, and takes its place in
            # the order of aliases.
            key_alias = _alias_of(key_node, budget) if budget.seen is not None else None
            key = key_node.value
            if key in mapping:
                line, col = _pos(key_node)
                first = mapping.keys_at[key]
                raise YamlProblem(
                    "yaml/duplicate-key",
                    f"duplicate key {key!r} (first defined at line {first[0]})",
                    line,
                    col,
                )
            mapping.keys_at[key] = key_alias[1] if key_alias is not None else _pos(key_node)
            if budget.seen is None:
                mapping.values_at[key] = _pos(value_node)
                mapping[key] = _convert(value_node, file, depth + 1, budget)
                continue
            mapping[key], mapping.values_at[key], anchor = _convert_item(value_node, file, depth + 1, budget)
            if anchor is not None:
                mapping.aliases = mapping.aliases or {}
                mapping.aliases[key] = anchor
        return mapping
    raise YamlProblem("yaml/syntax", "unsupported node", *_pos(node))


def _expanded_size(node: Node, memo: dict[int, int], depth: int = 0) -> int:
    """How many nodes the document has once aliases are expanded, counted without expanding.

    Aliases share the node object, so memoising by identity keeps this linear
    in the text even for a billion-laughs document.
    """
    known = memo.get(id(node))
    if known is not None:
        return known
    if depth > MAX_DEPTH:
        return 1
    size = 1
    if isinstance(node, SequenceNode):
        size += sum(_expanded_size(item, memo, depth + 1) for item in node.value)
    elif isinstance(node, MappingNode):
        size += sum(
            _expanded_size(k, memo, depth + 1) + _expanded_size(v, memo, depth + 1)
            for k, v in node.value
        )
    memo[id(node)] = size
    return size


def _largest_section(root: Node, memo: dict[int, int]) -> Node:
    """The top-level value that expands most: where a too-large document is reported."""
    if not isinstance(root, MappingNode) or not root.value:
        return root
    values: list[Node] = [value for _, value in root.value]
    return max(values, key=lambda value: memo.get(id(value), 0))


def _aliases(text: str) -> list[tuple[str, Pos]]:
    """Every alias of a document that composed without error: its anchor's name and its position."""
    found: list[tuple[str, Pos]] = []
    for event in yaml.parse(text, Loader=_UntaggedLoader):
        if isinstance(event, yaml.AliasEvent) and event.anchor is not None and event.start_mark is not None:
            found.append((event.anchor, (event.start_mark.line + 1, event.start_mark.column + 1)))
    return found


def _problem_from_yaml_error(exc: yaml.YAMLError, lines: list[str]) -> tuple[str, str, int, int]:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    if line > len(lines) and lines:
        line, col = len(lines), len(lines[-1]) + 1
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    if "\t" in text[max(col - 2, 0) : col + 1] or ("tab" in problem.lower()):
        return "yaml/tab", "tab character where YAML needs spaces for indentation", line, col
    if "maximum nesting depth" in problem:
        return "yaml/too-deep", "nesting too deep for a catalog", line, col
    message = f"{context}, {problem}" if context else problem
    return "yaml/syntax", message, line, col


def parse_yaml(text: str, file: str) -> tuple[Any, list[Diagnostic]]:
    """Parse one YAML document; return (data, diagnostics). Data is None on error."""
    lines = text.splitlines()

    def diag(check: str, message: str, line: int, col: int) -> Diagnostic:
        source = lines[line - 1] if 0 < line <= len(lines) else None
        return Diagnostic(check, message, location=Location(file, line, col), source_line=source)

    try:
        nodes = list(yaml.compose_all(text, Loader=_UntaggedLoader))
    except yaml.YAMLError as exc:
        return None, [diag(*_problem_from_yaml_error(exc, lines))]
    if not nodes:
        return None, [diag("catalog/empty", "the file holds no catalog (it is empty)", 1, 1)]
    if len(nodes) > 1:
        return None, [
            diag("yaml/multiple-documents", "one YAML document per catalog file", *_pos(nodes[1]))
        ]
    try:
        memo: dict[int, int] = {}
        # Without an anchor there is no alias, and the size is the text's own.
        budget = _Budget()
        if "&" in text:
            if _expanded_size(nodes[0], memo) > MAX_NODES:
                raise _too_large(_largest_section(nodes[0], memo))
            budget.aliases = _aliases(text)
            budget.seen = {id(nodes[0])} if budget.aliases else None
        return _convert(nodes[0], file, 0, budget), []
    except YamlProblem as problem:
        return None, [diag(problem.check, problem.message, problem.line, problem.column)]
    except RecursionError:
        return None, [diag("yaml/too-deep", "nesting too deep for a catalog", 1, 1)]
