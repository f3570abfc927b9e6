"""The review sheet (`待处理` / `To review`, spec 6a): every row that needs a person.

One line per row whose talent status is not `matched` or whose job-data status is
`mismatch`, `not_found` or `error` (`no_key` is normal for a candidate without an
employee ID yet), most urgent first; each line links to its row on the reconciled
sheet and says who the row is (source.label_columns), its statuses, its notes and
what to do next.
"""

from __future__ import annotations

from dataclasses import dataclass

from reconciler.messages.render import join, templates, text
from reconciler.model import RowOutcome, WriteContext
from reconciler.writers.added import AddedCell, AddedSheet, link_to
from reconciler.writers.annotation import display_width, shown_status

# Most urgent first (spec 6a); a plugin's own status comes after these.
URGENCY = ("error", "conflict", "ambiguous", "invalid", "partial", "not_found", "mismatch")
JOB_TO_REVIEW = frozenset({"mismatch", "not_found", "error"})
SECTIONS = (("talent", "talent_status", "label.talent_status"), ("job_data", "job_status", "label.job_status"))
LABEL_WIDTH, TEXT_WIDTH = 24, 50


def to_review(outcome: RowOutcome) -> list[tuple[str, str]]:
    """The (section, status) pairs that put a row on the review sheet."""
    found = []
    if outcome.talent_status is not None and outcome.talent_status != "matched":
        found.append(("talent", outcome.talent_status))
    if outcome.job_status in JOB_TO_REVIEW:
        found.append(("job_data", outcome.job_status))
    return found


def urgency(statuses: list[tuple[str, str]]) -> int:
    return min(URGENCY.index(s) if s in URGENCY else len(URGENCY) for _, s in statuses)


def review_rows(ctx: WriteContext) -> list[tuple[RowOutcome, list[tuple[str, str]]]]:
    """The rows to review with their statuses, most urgent first, then in sheet order."""
    lines = [(o, found) for o in ctx.outcomes.values() if (found := to_review(o))]
    lines.sort(key=lambda line: (urgency(line[1]), line[0].row_number))
    return lines


def todo(section: str, status: str, locale: str) -> str:
    key = f"todo.{'talent' if section == 'talent' else 'job'}.{status}"
    said = text(key, locale)
    return "" if said == key else said


@dataclass
class Review:
    sheet: AddedSheet
    first_line: dict[tuple[str, str], int]  # (section, status) -> its first line's row on the review sheet


def review_sheet(ctx: WriteContext, title: str, reconciled_title: str) -> Review:
    locale = ctx.locale
    sections = [s for s in SECTIONS if s[0] in ctx.status_columns]
    labels = [h for h in ctx.label_columns if ctx.sheet.column_index(h) is not None]
    header = [text("label.link", locale), text("label.row", locale), *labels,
              *(text(key, locale) for _, _, key in sections), text("label.notes", locale), text("label.todo", locale)]
    sheet = AddedSheet(title, [[AddedCell(h, bold=True) for h in header]], frozen_rows=1, filter_header=1,
                       landscape=True)
    widths = [display_width(h) + 2 for h in header]
    rows_by_number = {r.number: r for r in ctx.sheet.rows}
    first_line: dict[tuple[str, str], int] = {}
    target_column = ctx.sheet.column_index(labels[0]) + 1 if labels else 1
    # Decided once, not per line: a big sheet can have tens of thousands of lines.
    link_text = templates(locale)["label.link_text"]
    shown = {}
    todos = {}
    label_end = 2 + len(labels) + len(sections)
    for outcome, statuses in review_rows(ctx):
        number = outcome.row_number
        line = len(sheet.rows) + 1
        for pair in statuses:
            first_line.setdefault(pair, line)
        row = rows_by_number.get(number)
        cells = [AddedCell(link_text.format(row=number), wrap=True, link=link_to(reconciled_title, target_column, number)),
                 AddedCell(number, wrap=True)]
        cells += [AddedCell(row.get(h).text if row else "", wrap=True) for h in labels]
        for _, attribute, _ in sections:
            status = getattr(outcome, attribute)
            if status not in shown:
                shown[status] = shown_status(status, ctx)
            value, fill = shown[status]
            cells.append(AddedCell(value, fill=fill, wrap=True) if value is not None else None)
        notes = join([*outcome.talent_notes, *outcome.job_notes], locale)
        cells.append(AddedCell(notes, wrap=True) if notes else None)
        key = tuple(statuses)
        if key not in todos:
            todos[key] = " ".join(filter(None, (todo(s, st, locale) for s, st in statuses)))
        cells.append(AddedCell(todos[key], wrap=True))  # a line reads from the top: every cell wraps
        for index in range(label_end):
            cell = cells[index]
            if cell is not None and type(cell.value) is str:
                widths[index] = max(widths[index], display_width(cell.value) + 2)
        sheet.rows.append(cells)
    if len(sheet.rows) == 1:
        sheet.rows.append([AddedCell(text("label.review_none", locale))])
        sheet.filter_header = None
    label_end = 2 + len(labels)
    sheet.widths = [min(w, LABEL_WIDTH) if i < label_end else min(w, 14) for i, w in enumerate(widths[:-2])]
    sheet.widths[1] = max(sheet.widths[1], 7)  # row numbers
    sheet.widths += [TEXT_WIDTH, TEXT_WIDTH]
    return Review(sheet, first_line)
