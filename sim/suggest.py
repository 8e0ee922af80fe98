""" "Did you mean ...?": the known key closest to a misspelt one.

An unknown key is reported at its dotted path (``supply.calloff``). The keys that would
have been accepted there are found by walking the pydantic model along that path (fields of
models, values of mappings, items of lists and tuples, every branch of a union); the closest
of them by ``difflib.get_close_matches`` is the suggestion. Nothing here imports the
scenario models, so scenario, batch and scorecard files share it.
"""

from __future__ import annotations

import difflib
import types
from collections.abc import Iterable, Mapping, Sequence
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel

CUTOFF = 0.6  # difflib's default: "calloff" -> "call_off", "colour" -> nothing


def _branches(tp: Any) -> list[Any]:
    """The types a value of ``tp`` may have: Annotated and unions unwrapped."""
    origin = get_origin(tp)
    if origin is Annotated:
        return _branches(get_args(tp)[0])
    if origin is Union or origin is types.UnionType:
        return [b for arg in get_args(tp) for b in _branches(arg)]
    return [tp]


def _child(tp: Any, key: Any) -> list[Any]:
    """The types the value at ``key`` of a ``tp`` value may have."""
    out: list[Any] = []
    for branch in _branches(tp):
        origin = get_origin(branch)
        args = get_args(branch)
        if isinstance(branch, type) and issubclass(branch, BaseModel):
            field = branch.model_fields.get(str(key))
            if field is not None:
                out.append(field.annotation)
        elif origin in (dict, Mapping) and len(args) == 2:
            out.append(args[1])
        elif origin in (list, Sequence) and args:
            out.append(args[0])
        elif origin is tuple and args:
            if len(args) == 2 and args[1] is Ellipsis:
                out.append(args[0])
            elif isinstance(key, int) and 0 <= key < len(args):
                out.append(args[key])
    return out


def known_keys(model: type[BaseModel], loc: Iterable[Any]) -> list[str]:
    """The field names of the models that may sit at ``loc`` (keys and list indices) of a
    ``model`` value; empty when the path leaves the models."""
    current: list[Any] = [model]
    for key in loc:
        index = int(key) if isinstance(key, str) and key.isdigit() else key
        current = [c for tp in current for c in _child(tp, index)]
    names: dict[str, None] = {}
    for tp in current:
        for branch in _branches(tp):
            if isinstance(branch, type) and issubclass(branch, BaseModel):
                names.update(dict.fromkeys(branch.model_fields))
    return list(names)


def closest(word: str, candidates: Iterable[str]) -> str | None:
    """The candidate closest to ``word``, or None when none is close."""
    found = difflib.get_close_matches(word, list(candidates), n=1, cutoff=CUTOFF)
    return found[0] if found else None


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """``"; did you mean 'x'?"`` for the closest candidate, or ``""``."""
    best = closest(word, candidates)
    return f"; did you mean {best!r}?" if best is not None else ""


def unknown_key_hint(model: type[BaseModel], loc: Sequence[Any], extra: Iterable[str] = ()) -> str:
    """The hint for the unknown key at ``loc`` (its last element) of a ``model`` value.

    ``extra`` adds keys accepted at the top level that the model does not hold (``extends``
    of a scenario file).
    """
    if not loc:
        return ""
    known = known_keys(model, loc[:-1])
    if len(loc) == 1:
        known += [k for k in extra if k not in known]
    return did_you_mean(str(loc[-1]), known)
