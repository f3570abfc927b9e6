"""An `html` writer: a one-page report with the counts per status and the rows to check.

For the people who do not open the workbook: mail the page, or put it on a
wiki. It shows the recipe, when it ran and the requests sent, a table of counts
per talent and job-data status, and the rows someone has to look at (talent
`conflict` / `ambiguous`, job data `mismatch`) with their row number and notes.
It copies no cell of the sheet: the notes are the tool's own (ID numbers in
them are masked). Everything is HTML-escaped, so a sheet cannot inject markup.

Recipe (load with --plugins plugins/html_report.py, or the whole plugins folder):

    output:
      writers: [xlsx, html]      # writes <stem>.reconciled.html beside the workbook
"""

import html
from pathlib import Path

from reconciler.hookspecs import hookimpl
from reconciler.writers.common import atomic_output
from reconciler.writers.registry import Writer

__version__ = "1.0"

TO_CHECK = {"conflict", "ambiguous", "mismatch"}
STYLE = (
    "body{font-family:system-ui,sans-serif;margin:2em;color:#222}"
    "table{border-collapse:collapse;margin-bottom:1.5em}"
    "th,td{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}"
    "th{background:#f3f3f3}"
)


def _table(headers, rows):
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape('' if v is None else str(v))}</td>" for v in row) + "</tr>"
        for row in rows
    )
    return f"<table><tr>{head}</tr>{body}</table>"


def write_html(ctx):
    s = ctx.summary
    title = f"{s.recipe_name}: reconciliation report"
    parts = [
        "<!DOCTYPE html>",
        f'<html><head><meta charset="utf-8"><title>{html.escape(title)}</title><style>{STYLE}</style></head><body>',
        f"<h1>{html.escape(title)}</h1>",
        f"<p>{html.escape(ctx.input_path.name)}: {s.rows} rows, run {s.started_at:%Y-%m-%d %H:%M}, "
        f"{sum(s.requests.values())} requests sent, {s.cache_hits} answered from the cache.</p>",
    ]
    for heading, counts in (("Talent", s.talent_counts), ("Job data", s.job_counts)):
        if counts:
            parts += [f"<h2>{heading}</h2>", _table(["Status", "Rows"], counts.items())]
    rows = [
        (number, o.talent_status, o.talent_note, o.job_status, o.job_note)
        for number, o in sorted(ctx.outcomes.items())
        if o.talent_status in TO_CHECK or o.job_status in TO_CHECK
    ]
    parts.append(f"<h2>Rows to check ({len(rows)})</h2>")
    headers = ["Row", "Talent status", "Talent note", "Job data status", "Job data note"]
    parts.append(_table(headers, rows) if rows else "<p>None.</p>")
    for warning in s.warnings:
        parts.append(f"<p><strong>Warning:</strong> {html.escape(warning)}</p>")
    parts.append("</body></html>")
    with atomic_output(ctx) as tmp:  # never half a file, never the input
        tmp.write_text("\n".join(parts) + "\n", encoding="utf-8")
    return Path(ctx.output_path)


@hookimpl
def register_writers(register):
    register(Writer("html", write_html, ".html", "one-page HTML report: counts per status and the rows to check"))
