"""Safe, strict YAML parsing, with libyaml's C parser when PyYAML was built with it.

The C parser reads the long, commented scenario files about ten times faster than the pure
Python one (a quarter of a second at every start-up otherwise); both resolve the same YAML
1.1 types, so the data are the same.

Strict where plain ``yaml.safe_load`` is careless (every YAML file of the project, scenario,
batch, sheet or rules, is read through :func:`safe_load`):

- a key given twice in one mapping is an error naming the key and both lines (PyYAML keeps
  the last value without a word, so a pasted duplicate changed a scenario silently); keys
  brought in by a ``<<:`` merge may be overridden, as YAML means them to be;
- a document nested deeper than ``MAX_DEPTH`` levels, or whose aliases would expand to more
  than ``MAX_VALUES`` values (a "billion laughs" document: ten aliases of ten aliases of
  ...), or with an alias inside the node it names (a recursive document) is refused before
  anything is built. The limits are far above what any scenario needs (a scenario is seven
  levels deep and holds a few thousand values).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import yaml
from yaml.error import MarkedYAMLError
from yaml.nodes import MappingNode

if TYPE_CHECKING:
    _Base = yaml.SafeLoader
else:
    _Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
SafeLoader: type = _Base
MAX_DEPTH = 64
MAX_VALUES = 1_000_000
_MERGE_TAG = "tag:yaml.org,2002:merge"


class YamlLimitError(MarkedYAMLError):
    """A document that is well-formed YAML but refused (a duplicate key, too deep, too big)."""

    def __init__(self, problem: str, mark: Any, note: str = "") -> None:
        # ``mark``: where, a ``yaml.error.Mark`` (or libyaml's, of another class), or None
        super().__init__(problem=problem, problem_mark=mark, note=note or None)


class _StrictLoader(_Base):
    """The safe loader, refusing a key given twice in one mapping."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._checked: set[int] = set()

    def flatten_mapping(self, node: MappingNode) -> None:
        # Called first on every mapping, and on the source of a ``<<:`` merge (which it then
        # rewrites with the merged keys): check each node once, as written.
        if id(node) not in self._checked:
            self._checked.add(id(node))
            seen: dict[Any, Any] = {}  # key -> the mark where it was first given
            for key_node, _ in node.value:
                if key_node.tag == _MERGE_TAG:
                    continue
                key = self.construct_object(key_node)
                try:
                    first = seen.setdefault(key, key_node.start_mark)
                except TypeError:  # an unhashable key: the constructor reports it
                    continue
                if first is not key_node.start_mark:
                    raise YamlLimitError(
                        f"duplicate key {key!r}",
                        key_node.start_mark,
                        f"(first given at line {first.line + 1})",
                    )
        super().flatten_mapping(node)


def _check_shape(text: str) -> None:
    """Refuse a document too deep, recursive, or whose aliases expand too far, from its
    events alone (nothing is built, so the check itself cannot blow up)."""
    sizes: dict[str, int] = {}  # anchor -> values the node it names expands to
    stack: list[list[Any]] = []  # open collections: [values so far, anchor]
    total, aliased = 0, False
    for event in yaml.parse(text, Loader=SafeLoader):
        if isinstance(event, yaml.CollectionStartEvent):
            if len(stack) >= MAX_DEPTH:
                raise YamlLimitError(f"nested deeper than {MAX_DEPTH} levels", event.start_mark)
            stack.append([1, event.anchor])
            continue
        if isinstance(event, yaml.CollectionEndEvent):
            count, anchor = stack.pop()
            if anchor is not None:
                sizes[anchor] = count
        elif isinstance(event, yaml.ScalarEvent):
            count = 1
            if event.anchor is not None:
                sizes[event.anchor] = 1
        elif isinstance(event, yaml.AliasEvent):
            if any(anchor == event.anchor for _, anchor in stack):
                raise YamlLimitError(
                    f"alias *{event.anchor} lies inside the node it names",
                    event.start_mark,
                    "(a recursive document)",
                )
            count = sizes.get(event.anchor or "", 1)  # undefined: the composer reports it
            aliased = True
        else:
            continue
        if stack:
            stack[-1][0] += count
            count = stack[-1][0]
        else:
            total += count
            count = total
        if count > MAX_VALUES and aliased:
            raise YamlLimitError(
                f"aliases expand to more than {MAX_VALUES:,} values",
                event.start_mark,
                "(a 'billion laughs' document?)",
            )
        if count > MAX_VALUES:
            raise YamlLimitError(
                f"more than {MAX_VALUES:,} values", event.start_mark, "(put long lists in a CSV)"
            )


def safe_load(text: str) -> Any:
    """``yaml.safe_load`` through the fastest safe loader available, strict as the module
    says (YamlLimitError, a ``yaml.YAMLError``, for what it refuses)."""
    _check_shape(text)
    return yaml.load(text, Loader=_StrictLoader)


def describe(exc: yaml.YAMLError) -> str:
    """One line saying what is wrong with a document and where: ``duplicate key 'name' at
    line 40, column 1 (first given at line 2)``, ``unreadable YAML at line 3, column 5: ...``."""
    mark = getattr(exc, "problem_mark", None)
    at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
    problem = getattr(exc, "problem", None) or "invalid YAML"
    if isinstance(exc, YamlLimitError):
        return f"{problem}{at} {exc.note}" if exc.note else f"{problem}{at}"
    return f"unreadable YAML{at}: {problem}"
