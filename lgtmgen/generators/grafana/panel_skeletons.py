"""Normalised panels from cached skeletons: grafanalib runs once per panel shape, not once per panel.

A catalog of a thousand services gives a thousand service dashboards made of
the same few dozen panel shapes with other titles, queries and legends.
Building every panel with grafanalib and normalising it was most of the
generator's cost, so the layout builders (and the dashboard's own fields:
variables, links, time) return a `Deferred` call instead of a grafanalib
object, and a dashboard is assembled in one of two ways:

- the reference: `Deferred.build()` runs the call as written, and the
  grafanalib dashboard is normalised by `to_grafana12`;
- the fast path, `normalised_panel` and `normalised_dashboard`: the call's
  *shape* is the call with every non-empty text passed positionally to a builder
  (title, unit, description, PromQL, legend, refId, link URL, variable query)
  taken out. The first call of a shape is built with a unique marker in place of
  each text and normalised; where the markers land is remembered, and every call
  of that shape is the skeleton with its own texts put in. Everything else (empty
  texts, keyword arguments, numbers, texts inside lists and mappings such as tags
  and overrides, the builders themselves) is part of the shape, so an input that
  can change the structure gives a skeleton of its own. A builder must therefore
  carry a positional text through unchanged (grafanalib and the normaliser only
  test whether it is empty); one that derives another value from it cannot be filled.

A marker that grafanalib or the normaliser altered instead of carrying
through raises, as it would be unsafe to fill. `tests/grafana/test_panel_skeletons.py`
holds every dashboard equal to the reference. Skeleton subtrees without texts are
shared between the dashboards, as the normaliser's constants already are:
artifact data is never mutated after generation.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Generic, ParamSpec, TypeVar

import grafanalib.core as g  # type: ignore[import-untyped]

from lgtmgen.generators.grafana.normalise import normalise_panel, with_panels

P = ParamSpec("P")
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Deferred(Generic[T]):
    """A call of a grafanalib builder, made when the dashboard is assembled."""

    builder: Callable[..., T]
    args: tuple[Any, ...]
    kwargs: dict[str, Any]

    def build(self) -> T:
        """The grafanalib object, built as the plain call would (the reference path)."""
        return self.builder(*_built(self.args), **{k: _built(v) for k, v in self.kwargs.items()})


def deferred(builder: Callable[P, T]) -> Callable[P, Deferred[T]]:
    """Make a grafanalib builder return its call deferred (see the module docstring)."""

    @functools.wraps(builder)
    def call(*args: P.args, **kwargs: P.kwargs) -> Deferred[T]:
        return Deferred(builder, args, kwargs)

    return call


def _built(value: Any) -> Any:
    if isinstance(value, Deferred):
        return value.build()
    if isinstance(value, (list, tuple)):
        return type(value)(_built(item) for item in value)
    if isinstance(value, dict):
        return {k: _built(v) for k, v in value.items()}
    return value


# The shape is flat, a prefix code read back by `_instantiate`: `_TEXT` (a text slot);
# `_CALL, builder, argument count, keyword names` then the arguments; `list` or `tuple` and a
# length, or `dict` and its keys, then the items; else the literal's type and value (so 1,
# 1.0 and True differ; a float as its exact hex form). Flat, because building and hashing nested tuples cost more than the rest.
_TEXT = object()
_CALL = object()


def _shape(value: Any, shape: list[Any], texts: list[str]) -> None:
    """Append the shape of `value` to `shape`, and the texts it takes out to `texts`."""
    kind = type(value)
    if kind is Deferred:
        shape += (_CALL, value.builder, len(value.args), tuple(value.kwargs))
        for arg in value.args:
            if type(arg) is str and arg:
                texts.append(arg)
                shape.append(_TEXT)
            else:
                _shape(arg, shape, texts)
        for item in value.kwargs.values():
            _shape(item, shape, texts)
    elif kind is list or kind is tuple:
        shape += (kind, len(value))
        for item in value:
            _shape(item, shape, texts)
    elif kind is dict:
        shape += (dict, tuple(value))
        for item in value.values():
            _shape(item, shape, texts)
    elif kind is float:
        # Equal floats can be written differently (0.0 and -0.0): the shape keeps the exact value.
        shape += (float, value.hex())
    else:
        shape += (kind, value)


def _instantiate(shape: Iterator[Any], markers: Iterator[str]) -> Any:
    """Build the value a shape describes, with the next marker for each text slot."""
    tag = next(shape)
    if tag is _TEXT:
        return next(markers)
    if tag is _CALL:
        builder, count, names = next(shape), next(shape), next(shape)
        args = [_instantiate(shape, markers) for _ in range(count)]
        return builder(*args, **{name: _instantiate(shape, markers) for name in names})
    if tag is list or tag is tuple:
        items = [_instantiate(shape, markers) for _ in range(next(shape))]
        return items if tag is list else tuple(items)
    if tag is dict:
        return {key: _instantiate(shape, markers) for key in next(shape)}
    if tag is float:
        return float.fromhex(next(shape))
    return next(shape)


_MARK = "\ue000"
"""A private-use character that no catalog text carries around each marker."""

FillTree = dict[Any, Any]
"""Key or index to the text index at that place, or to the tree below it."""


def _fill_tree(node: Any, marker_index: dict[str, int]) -> FillTree:
    tree: FillTree = {}
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, item in items:
        if isinstance(key, str) and _MARK in key:
            raise ValueError(f"a panel text became a key: {key!r}")
        if isinstance(item, str):
            if item in marker_index:
                tree[key] = marker_index[item]
            elif _MARK in item:
                raise ValueError(f"a panel text was altered on its way through grafanalib: {item!r}")
        elif isinstance(item, (dict, list)) and (below := _fill_tree(item, marker_index)):
            tree[key] = below
    return tree


def _fill(node: Any, tree: FillTree, texts: list[str]) -> Any:
    """`node` with the texts put in, copying only the containers on the way to them."""
    copy = node.copy()
    for key, below in tree.items():
        copy[key] = texts[below] if type(below) is int else _fill(node[key], below, texts)
    return copy


@dataclass(frozen=True, slots=True)
class _Skeleton:
    data: dict[str, Any]
    tree: FillTree


Normalise = Callable[[Any], dict[str, Any]]


@functools.lru_cache(maxsize=4096)
def _skeleton(shape: tuple[Any, ...], text_count: int, normalise: Normalise) -> _Skeleton:
    markers = [f"{_MARK}{i}{_MARK}" for i in range(text_count)]
    data = normalise(_instantiate(iter(shape), iter(markers)))
    return _Skeleton(data, _fill_tree(data, {m: i for i, m in enumerate(markers)}))


def _filled(call: Deferred[Any], normalise: Normalise) -> dict[str, Any]:
    shape: list[Any] = []
    texts: list[str] = []
    _shape(call, shape, texts)
    skeleton = _skeleton(tuple(shape), len(texts), normalise)
    filled: dict[str, Any] = _fill(skeleton.data, skeleton.tree, texts)
    return filled


def _unplaced_panel(built: Any) -> dict[str, Any]:
    # Placeholders: the caller sets the position and numbers the panels (no builder sets an id of its own).
    built.id = 0
    built.gridPos = g.GridPos(h=0, w=0, x=0, y=0)
    return normalise_panel(built)


def normalised_panel(panel: Deferred[Any], grid_pos: tuple[int, int, int, int]) -> dict[str, Any]:
    """The Grafana 12 JSON of a panel at `grid_pos` (h, w, x, y), id 0 (unnumbered)."""
    filled = _filled(panel, _unplaced_panel)
    h, w, x, y = grid_pos
    filled["gridPos"] = {"h": h, "w": w, "x": x, "y": y}
    return filled


def _without_panels(built: Any) -> dict[str, Any]:
    return with_panels(built, [])


def normalised_dashboard(dashboard: Deferred[Any], panels: list[dict[str, Any]]) -> dict[str, Any]:
    """The Grafana 12 JSON of a dashboard built without panels, with `panels` (normalised) put in."""
    filled = _filled(dashboard, _without_panels)
    filled["panels"] = panels
    return filled
