"""Walk a parsed YAML document against a key reference and collect every finding."""

from __future__ import annotations

import difflib
from collections.abc import Callable

from lgtmgen.checks.reference.model import ANY, BLOCK, LIST, MAP, KeyNode, KeyReference
from lgtmgen.checks.reference.values import describe, scalar_problem
from lgtmgen.diagnostics import Diagnostic, Location

UNKNOWN_KEY = "reference/unknown-key"
WRONG_TYPE = "reference/wrong-type"
NOT_A_BLOCK = "reference/not-a-block"

# (parent node, parent path, key, value) -> a diagnostic to use instead of unknown-key, or None.
UnknownKeyRule = Callable[[KeyNode, str, str, object], Diagnostic | None]


def join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def nearest(key: str, candidates: list[str]) -> str | None:
    matches = difflib.get_close_matches(key, candidates, n=1, cutoff=0.6)
    return matches[0] if matches else None


class DocumentWalker:
    """Collects diagnostics for one document; never stops at the first finding."""

    def __init__(self, ref: KeyReference, file: str, rules: list[UnknownKeyRule]) -> None:
        self.ref = ref
        self.file = file
        self.rules = rules
        self.findings: list[Diagnostic] = []

    def report(self, check: str, path: str, message: str, hint: str | None = None) -> None:
        self.findings.append(self.diagnostic(check, path, message, hint))

    def diagnostic(
        self, check: str, path: str, message: str, hint: str | None = None
    ) -> Diagnostic:
        return Diagnostic(
            check=check,
            message=message,
            location=Location(self.file),
            path=path or None,
            hint=hint,
        )

    def walk(self, value: object, node: KeyNode, path: str) -> None:
        if node.type == ANY or (node.type == BLOCK and not node.children):
            return
        if node.is_block:
            self._block(value, node, path)
        elif node.type == LIST:
            self._list(value, node, path)
        elif node.type == MAP:
            self._map(value, node, path)
        elif node.type is not None:
            problem = scalar_problem(value, node.type)
            if problem:
                self.report(WRONG_TYPE, path, f"{path}: {problem}")

    def _block(self, value: object, node: KeyNode, path: str) -> None:
        if value is None:
            return
        if not isinstance(value, dict):
            where = path or "the document"
            self.report(
                NOT_A_BLOCK,
                path,
                f"{where} is a block of keys, got {describe(value)}",
                hint=f"valid keys: {', '.join(sorted(node.children)[:8])}",
            )
            return
        for raw_key, child_value in value.items():
            key = str(raw_key)
            child = node.children.get(key)
            if child is None:
                self._unknown(node, path, key, child_value)
            else:
                self.walk(child_value, child, join(path, key))

    def _unknown(self, node: KeyNode, path: str, key: str, value: object) -> None:
        for rule in self.rules:
            special = rule(node, path, key, value)
            if special is not None:
                self.findings.append(special)
                return
        full = join(path, key)
        guess = nearest(key, list(node.children))
        message = f"unknown key {full}"
        hint = None
        if guess:
            message += f"; did you mean {guess}?"
            hint = f"replace {key} with {guess}"
        elif self.ref.main_config_leaves.get(key):
            places = ", ".join(self.ref.main_config_leaves[key][:3])
            message += f": not valid here; the main config has it as {places}"
        self.report(UNKNOWN_KEY, full, message, hint)

    def _list(self, value: object, node: KeyNode, path: str) -> None:
        if value is None:
            return
        if not isinstance(value, list):
            self.report(WRONG_TYPE, path, f"{path}: expected a list, got {describe(value)}")
            return
        if node.item is not None:
            for index, element in enumerate(value):
                self.walk(element, node.item, f"{path}[{index}]")

    def _map(self, value: object, node: KeyNode, path: str) -> None:
        if value is None:
            return
        if not isinstance(value, dict):
            self.report(WRONG_TYPE, path, f"{path}: expected a mapping, got {describe(value)}")
            return
        for raw_key, child_value in value.items():
            key = str(raw_key)
            child = node.children.get(key) or node.value
            if child is not None:
                self.walk(child_value, child, join(path, key))
