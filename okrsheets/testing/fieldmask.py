"""The ``fields`` query parameter: partial responses.

Accepts Google's syntax: ``a.b,c/d,e(f,g(h)),*``. A selected key that is
present in the full answer is kept, even when nothing under it survives (the
API answers ``{"sheets": [{"properties": {}}]}``); absent keys stay absent.
"""

from __future__ import annotations

from typing import Any

Tree = dict[str, "Tree | None"]


class MaskError(ValueError):
    pass


def parse(text: str) -> Tree | None:
    """``None`` means everything."""
    if text is None or text.strip() in ("", "*"):
        return None
    pos = 0

    def parse_list(depth: int) -> Tree:
        nonlocal pos
        tree: Tree = {}
        while pos < len(text):
            ch = text[pos]
            if ch == ")":
                if depth == 0:
                    raise MaskError(text)
                pos += 1
                return tree
            if ch in ", ":
                pos += 1
                continue
            path = []
            name = ""
            while pos < len(text) and text[pos] not in ",()":
                if text[pos] in "./":
                    path.append(name)
                    name = ""
                else:
                    name += text[pos]
                pos += 1
            path.append(name.strip())
            sub: Tree | None = None
            if pos < len(text) and text[pos] == "(":
                pos += 1
                sub = parse_list(depth + 1)
            _merge(tree, path, sub)
        if depth:
            raise MaskError(text)
        return tree

    return parse_list(0)


def _merge(tree: Tree, path: list[str], sub: Tree | None) -> None:
    node = tree
    for key in path[:-1]:
        child = node.setdefault(key, {})
        if child is None:
            return  # already fully selected
        node = child
    key = path[-1]
    if key not in node:
        node[key] = sub
        return
    selected = node[key]
    if selected is None:
        return
    if sub is None:
        node[key] = None
    else:
        for k, v in sub.items():
            _merge(selected, [k], v)


def apply(value: Any, tree: Tree | None) -> Any:
    if tree is None:
        return value
    if isinstance(value, list):
        return [apply(v, tree) for v in value]
    if isinstance(value, dict):
        if "*" in tree:
            return {k: apply(v, tree.get(k, tree["*"])) for k, v in value.items()}
        return {k: apply(value[k], sub) for k, sub in tree.items() if k in value}
    return value


def selects(tree: Tree | None, *path: str) -> bool:
    """Does the mask select anything at or under ``path``?"""
    node: Tree | None = tree
    for key in path:
        if node is None:
            return True
        if "*" in node:
            node = node.get(key, node["*"])
            continue
        if key not in node:
            return False
        node = node[key]
    return True
