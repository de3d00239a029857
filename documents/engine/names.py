"""Unknown variables found before rendering, from the template's Jinja syntax tree.

The schema says what a document type offers: a dict of names, each either None (a
value), a dict (a group of values: ``client`` → ``name``, ``phone``) or a one-item
list holding the schema of each item (``lines`` → ``[{"name": None, ...}]``). Loop
variables take the schema of the list they walk, so ``{% for l in lines %}{l.nam}``
is reported on its line, like ``{client.nmae}`` outside any loop.
"""

from __future__ import annotations

from typing import Any

from jinja2 import nodes

from documents.engine.problems import Problem

ANY = object()  # a value whose shape is not known (set by the template itself)
_DICT_METHODS = frozenset({"items", "keys", "values", "get"})
_BUILTIN_NAMES = frozenset({"range", "loop", "caller", "varargs", "kwargs", "self"})


def _names_in(target: nodes.Node) -> list[nodes.Name]:
    """The names a loop target binds (a Name, or a tuple of them)."""
    if isinstance(target, nodes.Name):
        return [target]
    return list(target.find_all(nodes.Name))


def _stored_names(tree: nodes.Node) -> set[str]:
    """Names the template assigns itself ({% set %}, macro arguments), except loop
    targets, which are scoped to their loop and typed by what they walk."""
    loop_targets = {id(n) for loop in tree.find_all(nodes.For) for n in _names_in(loop.target)}
    return {
        n.name
        for n in tree.find_all(nodes.Name)
        if n.ctx in ("store", "param") and id(n) not in loop_targets
    } | {m.name for m in tree.find_all(nodes.Macro)}


class _Walker:
    def __init__(self, schema: dict, assigned: set[str]) -> None:
        self.schema = schema
        self.assigned = assigned
        self.problems: list[Problem] = []
        self.seen: set[tuple[str, int]] = set()

    def _report(self, name: str, line: int) -> None:
        if (name, line) not in self.seen:
            self.seen.add((name, line))
            self.problems.append(Problem("unknown_variable", line, {"name": name}))

    def shape(self, node: nodes.Node, scope: dict) -> tuple[Any, str]:
        """The schema of an expression and its dotted name, reporting unknown parts."""
        if isinstance(node, nodes.Name):
            if node.name in scope:
                return scope[node.name], node.name
            if node.name in self.schema:
                return self.schema[node.name], node.name
            if node.name not in self.assigned and node.name not in _BUILTIN_NAMES:
                self._report(node.name, node.lineno)
            return ANY, node.name
        attr = None
        if isinstance(node, nodes.Getattr):
            attr = node.attr
        elif isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
            attr = node.arg.value
        if attr is not None:
            parent, path = self.shape(node.node, scope)
            if isinstance(parent, dict) and isinstance(attr, str):
                if attr in _DICT_METHODS:
                    return ANY, f"{path}.{attr}"
                if attr not in parent:
                    self._report(f"{path}.{attr}", node.lineno)
                    return ANY, f"{path}.{attr}"
                return parent[attr], f"{path}.{attr}"
            if isinstance(parent, list) and isinstance(attr, int) and parent:
                return parent[0], f"{path}.{attr}"
            return ANY, f"{path}.{attr}"
        if isinstance(node, nodes.Filter) and node.name in {
            "sort",
            "reverse",
            "list",
            "selectattr",
            "rejectattr",
            "unique",
            "select",
            "reject",
        }:
            shape, path = self.shape(node.node, scope) if node.node else (ANY, "")
            self._visit_children(node, scope, skip=node.node)
            return shape, path
        self._visit_children(node, scope)
        return ANY, ""

    def _visit_children(self, node: nodes.Node, scope: dict, skip=None) -> None:
        for child in node.iter_child_nodes():
            if child is not skip:
                self.visit(child, scope)

    def visit(self, node: nodes.Node, scope: dict) -> None:
        if isinstance(node, nodes.For):
            walked, _ = self.shape(node.iter, scope)
            item = walked[0] if isinstance(walked, list) and walked else ANY
            inner = dict(scope)
            targets = _names_in(node.target)
            for target in targets:
                inner[target.name] = item if len(targets) == 1 else ANY
            inner["loop"] = ANY
            for child in (*node.body, *([node.test] if node.test else [])):
                self.visit(child, inner)
            for child in node.else_:
                self.visit(child, scope)
            return
        if isinstance(node, nodes.Name | nodes.Getattr | nodes.Getitem | nodes.Filter):
            if isinstance(node, nodes.Name) and node.ctx != "load":
                return
            self.shape(node, scope)
            return
        self._visit_children(node, scope)


def unknown_names(tree: nodes.Template, schema: dict) -> list[Problem]:
    walker = _Walker(schema, _stored_names(tree))
    walker.visit(tree, {})
    return walker.problems
