"""YAML text (JSON included) loaded as JSON values only, within a size budget.

``load_json_values`` is PyYAML's safe loading with three differences, so whatever it
answers can be written back as JSON:

- No implicit timestamps: ``2024-01-01`` stays the string it is written as (an explicit
  ``!!timestamp`` too), as JSON would keep it.
- Tags whose values JSON has no way to write (``!!binary``, ``!!set``, ``!!omap``,
  ``!!pairs``; ``!!python/...`` and unknown tags, as safe loading already does) and a
  NaN or infinite float are refused.
- A document larger than ``NODE_BUDGET`` nodes once its aliases are expanded (an alias
  counts its anchor's nodes each time it is used; a cycle is infinite) is refused before
  anything is built: a few hundred bytes of nested aliases ("billion laughs") would
  otherwise become gigabytes. Anchors and aliases within the budget load as usual (PyYAML
  dumps repeated objects that way).

Every refusal is a ``YamlTextError`` whose message says what is wrong.
"""

from __future__ import annotations

import math
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, SequenceNode

NODE_BUDGET = 100_000

TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
NON_JSON_TAGS = ("binary", "set", "omap", "pairs")


class YamlTextError(ValueError):
    """The text is not YAML, or not YAML this module loads (the message says why)."""


class _JsonLoader(yaml.SafeLoader):
    """Safe loading without implicit timestamps (see the module docstring)."""

    yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != TIMESTAMP_TAG]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }


def _at(node: Node) -> str:
    return f"line {node.start_mark.line + 1}, column {node.start_mark.column + 1}"


def _timestamp_as_text(loader: yaml.SafeLoader, node: Node) -> Any:
    return loader.construct_scalar(node)  # type: ignore[arg-type]


def _finite_float(loader: yaml.SafeLoader, node: Node) -> Any:
    value = loader.construct_yaml_float(node)  # type: ignore[arg-type]
    if not math.isfinite(value):
        raise YamlTextError(f"{_at(node)}: JSON has no NaN or infinity")
    return value


def _refused(loader: yaml.SafeLoader, node: Node) -> Any:
    tag = node.tag.replace("tag:yaml.org,2002:", "!!")
    raise YamlTextError(f"{_at(node)}: the tag {tag} makes a value JSON cannot hold")


_JsonLoader.add_constructor(TIMESTAMP_TAG, _timestamp_as_text)
_JsonLoader.add_constructor("tag:yaml.org,2002:float", _finite_float)
for _name in NON_JSON_TAGS:
    _JsonLoader.add_constructor(f"tag:yaml.org,2002:{_name}", _refused)


def _expanded_size(root: Node, budget: int) -> int:
    """The node count of ``root`` with aliases expanded, or ``budget + 1`` once it is over.

    A node shared through aliases is walked once and its size reused: the walk costs the
    document's own nodes, however large the expansion.
    """
    sizes: dict[int, int] = {}
    over = budget + 1

    def size(node: Node) -> int:
        known = sizes.get(id(node))
        if known is not None:
            return known
        sizes[id(node)] = over  # a node met again while it is walked is a cycle
        total = 1
        if isinstance(node, SequenceNode):
            children: list[Node] = list(node.value)
        elif isinstance(node, MappingNode):
            children = [item for pair in node.value for item in pair]
        else:
            children = []
        for child in children:
            total += size(child)
            if total > budget:
                return over
        sizes[id(node)] = total
        return total

    return size(root)


def load_json_values(text: str, budget: int = NODE_BUDGET) -> Any:
    """The one YAML document in ``text`` as JSON values (``None`` if it is empty)."""
    loader = _JsonLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        if _expanded_size(node, budget) > budget:
            raise YamlTextError(f"it is larger than {budget} nodes once its aliases are expanded")
        return loader.construct_document(node)
    except yaml.YAMLError as exc:
        raise YamlTextError(str(exc)) from None
    except RecursionError:
        raise YamlTextError("it is nested too deeply") from None
    finally:
        loader.dispose()
