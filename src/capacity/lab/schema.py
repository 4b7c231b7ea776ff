"""The published JSON Schema of a scenario file: ``params/schema.json``.

Generated from :class:`~capacity.params.Scenario` (units, meanings, sources and ranges come
from the fields), written with sorted keys so that it is stable, and adapted to what a
scenario *file* may hold: an ``extends:`` key, and a plain number wherever a distribution
is expected (it means a fixed value). Every shipped YAML file names it on its first line
(``# yaml-language-server: $schema=...``), so editors with the YAML language server complete
and check keys.

Regenerate with ``make schema`` (``python -m capacity.lab.schema``); ``--check`` fails when
the committed file differs from the generated one.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from capacity.params import Scenario

#: URI of the JSON Schema dialect pydantic writes.
DIALECT = "https://json-schema.org/draft/2020-12/schema"
#: First line of every shipped YAML file, relative to the file (``{}``: the path to the schema).
MODELINE = "# yaml-language-server: $schema={}"
_DISTRIBUTION = "#/$defs/Distribution"


def json_schema() -> dict[str, Any]:
    """Return the JSON Schema of a scenario file (the baseline or a scenario's changes)."""
    schema = _scalar_distributions(Scenario.model_json_schema(mode="validation"))
    schema["$schema"] = DIALECT
    schema["title"] = "Capacity scenario parameters"
    schema["properties"]["extends"] = {
        "type": "string",
        "pattern": r"\.ya?ml$",
        "description": "the parameter file this one changes, relative to it (default: the "
        "baseline, params/baseline.yaml)",
    }
    return schema


def _scalar_distributions(node: Any) -> Any:
    """Allow a number wherever a distribution is referenced (a fixed value, as the loader does)."""
    if isinstance(node, dict):
        out = {k: _scalar_distributions(v) for k, v in node.items()}
        if out.get("$ref") == _DISTRIBUTION:
            ref = out.pop("$ref")
            out["anyOf"] = [{"$ref": ref}, {"type": "number", "description": "a fixed value"}]
        return out
    if isinstance(node, list):
        return [_scalar_distributions(v) for v in node]
    return node


def render() -> str:
    """Return ``params/schema.json``'s text: sorted keys, two-space indent, final newline."""
    return json.dumps(json_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def default_path() -> Path:
    """Return the project's ``params/schema.json``."""
    from capacity import project

    return project.params_dir() / "schema.json"


def modeline(yaml_path: Path, schema_path: Path) -> str:
    """Return the ``yaml-language-server`` line for ``yaml_path``, pointing relatively at the schema."""
    import os

    relative = os.path.relpath(schema_path.resolve(), yaml_path.resolve().parent)
    return MODELINE.format(Path(relative).as_posix())


def main(argv: list[str] | None = None) -> int:
    """Write (or with ``--check`` compare) the schema file; return the exit code."""
    parser = argparse.ArgumentParser(prog="python -m capacity.lab.schema", description=__doc__)
    parser.add_argument("path", nargs="?", type=Path, help="schema file (default: params/schema.json)")
    parser.add_argument("--check", action="store_true", help="fail if the file is not up to date")
    args = parser.parse_args(argv)
    path = args.path or default_path()
    text = render()
    if args.check:
        current = path.read_text(encoding="utf-8") if path.is_file() else ""
        if current != text:
            sys.stderr.write(f"{path} is out of date with the Scenario schema: run `make schema`\n")
            return 1
        return 0
    path.write_text(text, encoding="utf-8")
    sys.stderr.write(f"wrote {path}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
