"""A `markdown` writer: the run's counts per status as a short Markdown page.

Paste it into a chat, a ticket or a wiki. Recipe:

    output:
      writers: [xlsx, markdown]     # writes <stem>.reconciled.md beside the workbook
"""

from reconciler.plugin_api import Writer, atomic_output, hookimpl, rows_needing_review


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
    to_review = [str(outcome.row_number) for outcome in rows_needing_review(ctx)]  # most urgent first
    lines.append(f"Rows to review: {', '.join(to_review) or 'none'}.")
    with atomic_output(ctx) as tmp:  # never half a file, never the input
        tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return ctx.output_path


@hookimpl
def register_writers(register):
    register(Writer("markdown", write_markdown, ".md", "Markdown summary: counts per status, rows to review"))
