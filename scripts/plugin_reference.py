"""Write docs/plugin-reference.md from the code: the hooks' docstrings, and every object
`reconciler.plugin_api` exports, with its fields (type, default, meaning), properties,
methods and functions, taken from docstrings and type hints. Also docs/sandbox-tenant.md,
the sandbox's demo people (what reconciler.sandbox.demo_guide renders), where plugin
authors look for them.

    python scripts/plugin_reference.py            # rewrite docs/plugin-reference.md
    python scripts/plugin_reference.py --check    # exit 1 when the file is not what the code says

tests/test_plugin_reference.py runs the check, so the reference cannot drift from the code.
A field's meaning comes from, in order: its entry under "Attributes:" in the class
docstring, a pydantic Field(description=...), a comment at the end of its line.
"""

from __future__ import annotations

import ast
import dataclasses
import inspect
import io
import re
import sys
import textwrap
import tokenize
import types
import typing
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "docs" / "plugin-reference.md"
TENANT = ROOT / "docs" / "sandbox-tenant.md"
sys.path.insert(0, str(ROOT))

from pydantic import BaseModel  # noqa: E402
from pydantic_core import PydanticUndefined  # noqa: E402

from reconciler import hookspecs, plugin_api, recipe  # noqa: E402
from reconciler.plugins import HOOK_NAMES  # noqa: E402
from reconciler.sandbox.demo_build import build_demo_tenant  # noqa: E402
from reconciler.sandbox.demo_guide import render_guide  # noqa: E402

HOOK_ORDER = ("register_matchers", "register_writers", "normalise_value", "register_output_columns", "row_outputs")

# (heading, introduction, names in plugin_api or reconciler.recipe)
SECTIONS = [
    ("Writers", "What `register_writers` registers and what `write(ctx)` receives.",
     ["Writer", "WriteContext", "Sheet", "SheetRow", "Cell", "OutputColumn", "RowOutcome", "RunSummary"]),
    ("Matchers and rules", "What `register_matchers` registers, what `identify(row, spec)` and "
     "`normalise_value` return, and what `decide(resolved)` receives.",
     ["IdentifierMatcher", "DecisionRule", "InputSpec", "Normalised", "TalentKey", "Resolved", "KeyLookup",
      "Talent", "TalentDecision"]),
    ("The recipe", "`recipe` in `register_output_columns` and `row_outputs`, `ctx.recipe` in a writer. "
     "Every section is optional except `version` and one of `talent` / `job_data`.",
     ["Recipe", "SourceSection", "TalentSection", "JobDataSection", "JobKey", "OutputSection"]),
    ("Messages and errors", "", ["Message", "PluginError", "OptionError"]),
]
FUNCTIONS = [
    ("Building a matcher's answer", ["valid_value", "invalid_value", "not_present", "normalise_mobile",
                                     "normalise_email", "normalise_id_number"]),
    ("Deciding", ["decide_talent", "merge_talent"]),
    ("Writing", ["atomic_output"]),
    ("Reports for people", ["rows_needing_review", "needs_review", "status_label", "notes_text", "mask", "mask_text"]),
    ("Testing a plugin", ["isolated", "run"]),
]
CONSTANTS = ["LOOKUP_KINDS", "TALENT_STATUSES", "JOB_STATUSES", "REVIEW_ORDER"]
SKIP_METHODS = {"model_post_init", "issue_at"}
# Annotated aliases of the recipe models, shown as what a plugin reads.
TYPE_ALIASES = {"WriterList": "list[str]", "InputSpecForm": "InputSpec", "JobKeyForm": "JobKey", "Duration": "int"}


def _lookup(name: str):
    return getattr(plugin_api, name, None) or getattr(recipe, name)


def _code(text: str) -> str:
    """reST to Markdown: ``x`` -> `x`, :class:`x` -> `x`, :param a: -> - `a`:, :return: -> Returns."""
    text = re.sub(r":(?:class|func|meth|attr|mod):`~?([^`]+)`", r"`\1`", text)
    text = text.replace("``", "`")
    text = re.sub(r"^:param (\w+):", r"- `\1`:", text, flags=re.M)
    text = re.sub(r"^:return:", "Returns:", text, flags=re.M)
    return text


def _docstring_body(obj) -> str:
    """The docstring without its Attributes: section."""
    doc = inspect.getdoc(obj) or ""
    return re.split(r"^Attributes:\s*$", doc, maxsplit=1, flags=re.M)[0].strip()


def _attributes_section(cls) -> dict[str, str]:
    doc = inspect.getdoc(cls) or ""
    parts = re.split(r"^Attributes:\s*$", doc, maxsplit=1, flags=re.M)
    if len(parts) < 2:
        return {}
    found: dict[str, str] = {}
    current = None
    for line in textwrap.dedent(parts[1]).splitlines():
        match = re.match(r"^(\w+): (.*)$", line)
        if match:
            current = match.group(1)
            found[current] = match.group(2).strip()
        elif line.strip() and current and line.startswith((" ", "\t")):
            found[current] += " " + line.strip()
        elif line.strip():
            break
    return found


def _line_comments(cls) -> dict[str, str]:
    """field name -> the comment at the end of its line in the class body."""
    try:
        source = textwrap.dedent(inspect.getsource(cls))
    except (OSError, TypeError):
        return {}
    comments: dict[int, str] = {}
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            comments[token.start[0]] = token.string.lstrip("#").strip()
    found: dict[str, str] = {}
    for number, line in enumerate(source.splitlines(), 1):
        match = re.match(r"^    (\w+)\s*:", line)
        if match and number in comments:
            found.setdefault(match.group(1), comments[number])
    return found


def _type_text(annotation) -> str:
    if isinstance(annotation, str):
        return TYPE_ALIASES.get(annotation, annotation)
    text = getattr(annotation, "__name__", None) if not typing.get_args(annotation) else None
    return text or str(annotation).replace("typing.", "").replace("NoneType", "None")


def _own_annotations(cls) -> dict[str, object]:
    merged: dict[str, object] = {}
    for klass in reversed(cls.__mro__):
        if klass.__module__.startswith("reconciler"):
            merged.update(inspect.get_annotations(klass))
    return merged


def _default_text(default, factory) -> str:
    if factory is not None and factory is not dataclasses.MISSING:
        try:
            value = factory()
        except TypeError:
            return "(computed)"
        return "section defaults" if isinstance(value, BaseModel) else f"`{value!r}`"
    if default is dataclasses.MISSING or default is PydanticUndefined:
        return "required"
    return f"`{default!r}`"


def _fields(cls) -> list[tuple[str, str, str, str]]:
    """(name, type, default, meaning) of each field."""
    notes = {**_line_comments(cls), **_attributes_section(cls)}
    annotations = _own_annotations(cls)
    rows = []
    if isinstance(cls, type) and issubclass(cls, BaseModel):
        for name, info in cls.model_fields.items():
            meaning = info.description or notes.get(name, "")
            rows.append((name, _type_text(annotations.get(name, info.annotation)),
                         _default_text(info.default, info.default_factory), meaning))
    elif dataclasses.is_dataclass(cls):
        for field in dataclasses.fields(cls):
            if field.name.startswith("_"):  # private (TalentKey's cached hash)
                continue
            rows.append((field.name, _type_text(annotations.get(field.name, field.type)),
                         _default_text(field.default, field.default_factory), notes.get(field.name, "")))
    else:
        for name, annotation in annotations.items():
            if name.startswith("_") or name in ("key", "params") and cls.__name__ != "Message":
                continue
            default = getattr(cls, name, dataclasses.MISSING)
            if isinstance(default, types.MemberDescriptorType):  # a __slots__ attribute: set by __init__
                default = dataclasses.MISSING
            rows.append((name, _type_text(annotation), _default_text(default, None),
                         notes.get(name, "")))
    return rows


def _members(cls) -> list[tuple[str, str]]:
    """(heading, docstring) of the public properties and methods the class itself defines."""
    found = []
    for name, member in vars(cls).items():
        if name.startswith("_") or name in SKIP_METHODS:
            continue
        if isinstance(member, property):
            found.append((f"`{name}` (property)", inspect.getdoc(member) or ""))
        elif isinstance(member, (classmethod, staticmethod)) or inspect.isfunction(member):
            function = member.__func__ if isinstance(member, (classmethod, staticmethod)) else member
            found.append((f"`{name}{_signature(function, drop_self=not isinstance(member, staticmethod))}`",
                          inspect.getdoc(function) or ""))
    return found


def _signature(function, drop_self: bool = False) -> str:
    """(a: str, *, b: int = 1) -> str, with the annotations as written in the source."""
    signature = inspect.signature(function)
    params = list(signature.parameters.values())[1 if drop_self else 0:]
    parts, star = [], False
    for param in params:
        if param.kind is param.KEYWORD_ONLY and not star:
            parts.append("*")
            star = True
        text = ("*" if param.kind is param.VAR_POSITIONAL else "**" if param.kind is param.VAR_KEYWORD else "")
        text += param.name
        if param.annotation is not param.empty:
            text += f": {_type_text(param.annotation)}"
        if param.default is not param.empty:
            text += f" = {param.default!r}"
        star = star or param.kind is param.VAR_POSITIONAL
        parts.append(text)
        if param.kind is param.POSITIONAL_ONLY and (params.index(param) == len(params) - 1
                                                    or params[params.index(param) + 1].kind is not param.POSITIONAL_ONLY):
            parts.append("/")
    returns = f" -> {_type_text(signature.return_annotation)}" if signature.return_annotation is not signature.empty else ""
    return f"({', '.join(parts)}){returns}"


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def render_class(name: str, missing: list[str]) -> list[str]:
    cls = _lookup(name)
    out = [f"### `{name}`", ""]
    body = _docstring_body(cls)
    if body:
        out += [_code(body), ""]
    fields = _fields(cls)
    if fields:
        out += ["| field | type | default | meaning |", "|---|---|---|---|"]
        for field, type_text, default, meaning in fields:
            if not meaning:
                missing.append(f"{name}.{field}")
            out.append(f"| `{field}` | `{_cell(type_text)}` | {_cell(default)} | {_cell(_code(meaning))} |")
        out.append("")
    for heading, doc in _members(cls):
        if not doc:
            missing.append(f"{name}.{heading}")
        out += [f"- {heading}: {_cell(_code(doc))}"]
    if out[-1] != "":
        out.append("")
    return out


def render_function(name: str, missing: list[str]) -> list[str]:
    function = _lookup(name)
    function = inspect.unwrap(function)
    doc = inspect.getdoc(function) or ""
    if not doc:
        missing.append(name)
    return [f"#### `{name}{_signature(function)}`", "", _code(doc), ""]


def generate() -> tuple[str, list[str]]:
    """(the reference's text, every field or member without a meaning)."""
    missing: list[str] = []
    assert set(HOOK_ORDER) == set(HOOK_NAMES), "a hook was added: list it in HOOK_ORDER"
    out = [
        "# Plugin API reference",
        "",
        "<!-- Generated by `python scripts/plugin_reference.py` from the docstrings and type hints of",
        "     reconciler.plugin_api; do not edit by hand (tests/test_plugin_reference.py compares). -->",
        "",
        "Everything here is imported from one module, `reconciler.plugin_api`. The guide is",
        "[plugins.md](plugins.md). A field marked `| None` may be absent (None); the meaning says when.",
        "",
        "- [Hooks](#hooks)",
        *(f"- [{title}](#{title.lower().replace(' ', '-')})" for title, _, _ in SECTIONS),
        "- [Functions](#functions)",
        "- [Constants](#constants)",
        "- [The example plugins](#the-example-plugins)",
        "",
        "## Hooks",
        "",
        _code(inspect.getdoc(hookspecs).split("\n\n", 1)[1]),
        "",
    ]
    for hook in HOOK_ORDER:
        spec = getattr(hookspecs, hook)
        firstresult = " (firstresult)" if spec.reconciler_spec.get("firstresult") else ""
        out += [f"### `{hook}{inspect.signature(spec)}`{firstresult}", "", _code(inspect.getdoc(spec) or ""), ""]
    for title, intro, names in SECTIONS:
        out += [f"## {title}", ""]
        if intro:
            out += [intro, ""]
        for name in names:
            out += render_class(name, missing)
    out += ["## Functions", ""]
    for title, names in FUNCTIONS:
        out += [f"### {title}", ""]
        for name in names:
            out += render_function(name, missing)
    out += ["## Constants", ""]
    for name in CONSTANTS:
        out.append(f"- `{name}` = `{getattr(plugin_api, name)!r}`")
    out.append("")
    out += ["## The example plugins", "", "What each file of `plugins/` says of itself (its module docstring). The files directly "
            "in `plugins/` predate `reconciler.plugin_api` and import the older paths, which keep working; "
            "the packaged example imports `reconciler.plugin_api`.", ""]
    for path in sorted((ROOT / "plugins").glob("*.py")) + sorted((ROOT / "plugins").glob("*/*.py")):
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
        if not doc:
            missing.append(f"plugins/{path.relative_to(ROOT / 'plugins')} (no module docstring)")
        out += [f"### `plugins/{path.relative_to(ROOT / 'plugins').as_posix()}`", "", doc, ""]
    documented = {n for _, _, names in SECTIONS for n in names} | {n for _, names in FUNCTIONS for n in names}
    documented |= set(CONSTANTS) | {"hookimpl", "RunOptions"}
    missing += [f"plugin_api.{name} (not in the reference)" for name in plugin_api.__all__ if name not in documented]
    return "\n".join(out).rstrip() + "\n", missing


def generate_files() -> tuple[dict[Path, str], list[str]]:
    """({path: text} of every generated page, what is undocumented)."""
    reference, missing = generate()
    return {TARGET: reference, TENANT: render_guide(build_demo_tenant())}, missing


def main(argv: list[str]) -> int:
    files, missing = generate_files()
    if missing:
        print("undocumented: " + ", ".join(missing), file=sys.stderr)
        return 1
    stale = [path for path, text in files.items() if not path.exists() or path.read_text(encoding="utf-8") != text]
    if "--check" in argv:
        for path in stale:
            print(f"{path} is out of date: run python scripts/plugin_reference.py", file=sys.stderr)
        return 1 if stale else 0
    for path in stale:
        path.write_text(files[path], encoding="utf-8")
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
