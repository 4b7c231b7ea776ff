"""Read a parameter file's YAML safely: bounded, without aliases, every key once.

``yaml.safe_load`` runs no code but happily expands an alias bomb, keeps the last of two
equal keys, recurses until Python gives up on deep nesting and turns an empty file into
``None``. :func:`read_mapping` refuses all of that with a one-line
:class:`~capacity.params.problems.ParameterFileError` naming the file, the key and the line.
"""

from __future__ import annotations

import copy
import hashlib
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from capacity.params.problems import fail

#: Largest parameter file read (the baseline is ~20 kB).
MAX_BYTES = 1_000_000
#: Files already read, by path and the SHA-256 of their text (parsing is the slow part).
_READ: dict[tuple[str, str], dict[str, Any]] = {}
#: Deepest nesting of mappings and lists (the schema needs 4).
MAX_DEPTH = 20


class _Refused(Exception):
    """Raised inside the composer; turned into a ParameterFileError with the file named."""

    def __init__(self, key: str, rule: str) -> None:
        super().__init__(rule)
        self.key, self.rule = key, rule


#: The only YAML tags a parameter file may use (the plain types of the schema).
_TAGS = {f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq")}


def _segment(index: Any) -> str:
    if isinstance(index, ScalarNode):
        return str(index.value)[:40]
    if isinstance(index, int):
        return f"[{index}]"
    return "" if index is None else "?"


def _join(parts: list[str]) -> str:
    shown = parts if len(parts) <= 6 else [*parts[:5], "…"]
    out = ""
    for part in shown:
        out += part if part.startswith("[") or not out else f".{part}"
    return out


class _Loader(yaml.SafeLoader):
    """A safe loader that refuses anchors and aliases and bounds the nesting depth."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._path: list[str] = []

    def compose_node(self, parent: Node | None, index: Any) -> Node:
        event = self.peek_event()
        segment = _segment(index)
        if segment:
            self._path.append(segment)
        try:
            line = event.start_mark.line + 1
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                raise _Refused(
                    _join(self._path),
                    f"line {line}: YAML anchors and aliases (& and *) "
                    "are not allowed in parameter files; write the value out",
                )
            if len(self._path) > MAX_DEPTH:
                raise _Refused(_join(self._path), f"line {line}: nested deeper than {MAX_DEPTH} levels")
            return super().compose_node(parent, index)
        finally:
            if segment:
                self._path.pop()


def _compose(path: Path, text: str) -> Node | None:
    try:  # the reader checks every character as the loader is made: a control character fails here
        loader = _Loader(text)
    except yaml.reader.ReaderError as exc:
        before = text[: exc.position]
        line, column = before.count("\n") + 1, exc.position - (before.rfind("\n") + 1) + 1
        raise fail(
            path,
            "",
            f"line {line}, column {column}: the character U+{exc.character:04X} is not "
            "allowed (a control character); delete it or retype the value",
        ) from None
    try:
        return loader.get_single_node()
    except _Refused as exc:
        raise fail(path, exc.key, exc.rule) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise fail(path, "", f"{where}not valid YAML: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise fail(path, "", f"not valid YAML: {str(exc).splitlines()[0][:200]}") from None
    finally:
        loader.dispose()


class _Builder:
    """Turn composed nodes into Python values, naming the key of any value that can't be read."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.loader = yaml.SafeLoader("")

    def build(self, node: Node, key: str) -> Any:
        if node.tag not in _TAGS:
            raise fail(
                self.path,
                key,
                f"line {node.start_mark.line + 1}: the YAML tag "
                f"{node.tag[:40]!r} is not allowed in parameter files; write a plain value",
            )
        if isinstance(node, MappingNode):
            return self._mapping(node, key)
        if isinstance(node, SequenceNode):
            return [self.build(item, f"{key}[{i}]") for i, item in enumerate(node.value)]
        try:
            return self.loader.construct_object(node, deep=True)
        except (ValueError, OverflowError, yaml.YAMLError) as exc:
            text = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
            hint = " (dates are written YYYY-MM-DD)" if node.tag.endswith(":timestamp") else ""
            raise fail(
                self.path,
                key,
                f"line {node.start_mark.line + 1}: {str(node.value)[:40]!r} could not be read: {text}{hint}",
            ) from None

    def _mapping(self, node: MappingNode, key: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        lines: dict[str, int] = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise fail(
                    self.path,
                    key,
                    f"line {line}: merge keys (<<) are not allowed in parameter files; write the keys out",
                )
            name = self.build(key_node, key) if isinstance(key_node, ScalarNode) else None
            if not isinstance(name, str):
                raise fail(
                    self.path,
                    key or "<top>",
                    f"line {line}: a key must be a name, got {str(getattr(key_node, 'value', '?'))[:40]!r}",
                )
            full = f"{key}.{name}" if key else name
            if name in lines:
                raise fail(self.path, full, f"key given twice, at lines {lines[name]} and {line} (give each key once)")
            lines[name] = line
            out[name] = self.build(value_node, full)
        return out


def read_mapping(path: Path) -> dict[str, Any]:
    """Read a YAML mapping from ``path``, refusing what a parameter file must not hold.

    Raises:
        ParameterFileError: If the file is missing, too large, empty, not valid YAML, has an
            anchor, alias, merge key or duplicate key, nests too deep, holds a value that can't
            be read (e.g. the date 2025-13-01), or is not a mapping at the top.

    """
    if not path.is_file():
        raise fail(path, "", "parameter file not found")
    size = path.stat().st_size
    with path.open("rb") as handle:  # at most MAX_BYTES + 1, whatever stat says
        data = handle.read(MAX_BYTES + 1)
    if size > MAX_BYTES or len(data) > MAX_BYTES:
        shown = f"{size:,} bytes" if size > MAX_BYTES else f"over {MAX_BYTES:,} bytes"
        raise fail(path, "", f"file is {shown}, more than the {MAX_BYTES:,} a parameter file may have")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise fail(path, "", f"not UTF-8 text (byte {exc.start}): save the file as UTF-8") from None
    key = (str(path), hashlib.sha256(text.encode("utf-8")).hexdigest())
    if key in _READ:
        return copy.deepcopy(_READ[key])
    content = _parse(path, text)
    if len(_READ) >= 64:
        _READ.pop(next(iter(_READ)))
    _READ[key] = copy.deepcopy(content)
    return content


def _parse(path: Path, text: str) -> dict[str, Any]:
    node = _compose(path, text)
    if node is None:
        raise fail(
            path, "", "the file is empty (or only comments): a scenario needs at least one key, e.g. meta: {title: ...}"
        )
    if not isinstance(node, MappingNode):
        kind = "a list" if isinstance(node, SequenceNode) else f"the value {str(node.value)[:40]!r}"
        raise fail(path, "", f"expected a mapping of sections at the top (meta:, forecast:, ...), got {kind}")
    content = _Builder(path).build(node, "")
    if not content:
        raise fail(
            path, "", "the file is an empty mapping ({}): a scenario needs at least one key, e.g. meta: {title: ...}"
        )
    return content


def parse_value(text: str, key: str, *, where: str = "<value>") -> Any:
    """Read one YAML value typed into a form (the editor) with the rules of a parameter file.

    No anchors or aliases (an alias bomb), no tags, no control characters, bounded size and
    depth: the same refusals as :func:`read_mapping`, naming ``key``.

    Raises:
        ParameterFileError: One line naming ``where``, the key and the rule.

    """
    if len(text) > MAX_BYTES:
        raise fail(Path(where), key, f"{len(text):,} characters, more than the {MAX_BYTES:,} a value may have")
    node = _compose(Path(where), text)
    return None if node is None else _Builder(Path(where)).build(node, key)
