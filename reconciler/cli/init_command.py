"""`reconciler init SHEET`: draft a commented recipe from the sheet, say what was chosen and why.

It never asks anything (on a terminal or not): it reports, and the person edits
the recipe. An existing recipe file is never overwritten without --force.
"""

from __future__ import annotations

from pathlib import Path

import click

from reconciler.cli.handling import handle_errors
from reconciler.recipe.schemafile import MODELINE, SCHEMA_FILE, write_schema_file
from reconciler.errors import OutputError, UsageError
from reconciler.init import roles as R
from reconciler.init.draft import Draft, draft_recipe, why
from reconciler.init.render import render_recipe
from reconciler.init.roles import REPORT_ORDER
from reconciler.messages.locale import EN, ZH
from reconciler.messages.render import text as message


def default_recipe_path(sheet_path: Path) -> Path:
    return sheet_path.with_name(f"{sheet_path.stem}.recipe.yaml")


def write_recipe(text: str, path: Path, *, force: bool, sheet_path: Path) -> None:
    if path.resolve() == sheet_path.resolve():
        raise UsageError("init.same_as_input", path=path)
    if not path.parent.is_dir():
        raise OutputError("error.output_folder_missing", name=path.name, folder=path.parent)
    try:
        with path.open("w" if force else "x", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
    except FileExistsError:
        raise UsageError("init.exists", path=path) from None
    except OSError as exc:
        raise OutputError("init.cannot_write", path=path, reason=str(exc.strerror or exc)) from exc


def report_lines(draft: Draft) -> list[str]:
    t = draft.t
    lines = [t("init.read", where=_where_text(draft), row=draft.header.number, rows=draft.rows)]
    used = draft.used
    for role in REPORT_ORDER:
        choice = draft.found.choices.get(role)
        if choice is None or choice.column.header not in used:
            continue
        reason = draft.t("why.sep").join(filter(None, [why(draft, choice), _fact(draft, role)]))
        lines.append(t("init.chose", role=t(f"role.{role}"), header=choice.column.header,
                       letter=choice.column.letter, why=reason))
    lines.extend(t("init.note", text=note) for note in draft.notes)
    if draft.unused:
        lines.append(t("init.unused", headers=t("list.sep").join(draft.unused)))
    return lines


def _fact(draft: Draft, role: str) -> str | None:
    """What the recipe makes of the column beyond its header: ID type 2, the kind of employee/department ID."""
    data = draft.doc.data
    if role == R.ID_NUMBER and data["talent"]["inputs"]["id_number"].get("type") == 2:
        return draft.t("why.passport")
    if role == R.EMPLOYEE_KEY:
        return draft.t("why.key_type", value=data["job_data"]["key"]["user_id_type"])
    if role == R.DEPARTMENT:
        return draft.t("why.dept_type", value=data["job_data"]["department_id_type"])
    return None


def _where_text(draft: Draft) -> str:
    name = draft.sheet_path.name
    if draft.header.sheet is None:
        return name
    return message("where.sheet", draft.locale, sheet=draft.header.sheet, file=name)


@click.command("init")
@click.argument("input", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Recipe file to write (default: <sheet name>.recipe.yaml next to the sheet).")
@click.option("--sheet", help="Sheet of the workbook to read (default: the first visible sheet).")
@click.option("--force", is_flag=True, help="Overwrite the recipe file if it already exists.")
@click.option("--locale", type=click.Choice([ZH, EN]),
              help="Language of the comments, the report and output.locale (default: the sheet's).")
@click.option("--debug", is_flag=True, help="Show the traceback of an error.")
@handle_errors
def init_command(input, output, sheet, force, locale, debug):
    """Draft a commented recipe from INPUT's headers and values.

    Recognises mobile, country code, email, ID number and ID type columns (by
    header in Chinese or English, or by their values), an employee ID column for
    job data, a start date (as_of) and a department ID to compare. Says which
    column it chose for what and why; asks nothing.

    Example:

        reconciler init sample_sheets/onboarding_zh.xlsx
    """
    draft = draft_recipe(input, sheet=sheet, locale=locale)
    out = output or default_recipe_path(input)
    text = MODELINE + render_recipe(draft, recipe_path=out)  # editor completion from the schema beside it
    write_recipe(text, out, force=force, sheet_path=input)
    write_schema_file(out.parent / SCHEMA_FILE, replace=False)
    for line in report_lines(draft):
        click.echo(line)
    click.echo(draft.t("init.wrote", path=out))
    click.echo(draft.t("init.next_check", recipe=out, sheet=input))
    click.echo(draft.t("init.next_run", recipe=out, sheet=input))
