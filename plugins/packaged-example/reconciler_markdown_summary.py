"""A `markdown` writer: the run's counts per status as a short Markdown page.

Paste it into a chat, a ticket or a wiki. Recipe:

    output:
      writers: [xlsx, markdown]     # writes <stem>.reconciled.md beside the workbook
"""

from pathlib import Path

from reconciler.hookspecs import hookimpl
from reconciler.writers.common import atomic_output
from reconciler.writers.registry import Writer

TO_CHECK = {"conflict", "ambiguous", "mismatch"}


def _cell(text):
    return str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def write_markdown(ctx):
    s = ctx.summary
    lines = [f"# {_cell(s.recipe_name)}", "", f"{s.rows} rows of {_cell(ctx.input_path.name)}, "
             f"run {s.started_at:%Y-%m-%d %H:%M}.", ""]
    for heading, counts in (("Talent", s.talent_counts), ("Job data", s.job_counts)):
        if counts:
            lines += [f"## {heading}", "", "| Status | Rows |", "|---|---:|"]
            lines += [f"| {_cell(status)} | {count} |" for status, count in counts.items()]
            lines.append("")
    to_check = [n for n, o in sorted(ctx.outcomes.items()) if o.talent_status in TO_CHECK or o.job_status in TO_CHECK]
    lines.append(f"Rows to check: {', '.join(map(str, to_check)) or 'none'}.")
    with atomic_output(ctx) as tmp:
        tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return Path(ctx.output_path)


@hookimpl
def register_writers(register):
    register(Writer("markdown", write_markdown, ".md", "Markdown summary: counts per status, rows to check"))
