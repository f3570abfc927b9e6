# docs/plugins.md before the plugin API (issue 17), kept unchanged: old import paths must keep working.
from pathlib import Path

from reconciler.hookspecs import hookimpl
from reconciler.writers.common import atomic_output
from reconciler.writers.registry import Writer


def write_counts(ctx):
    with atomic_output(ctx) as tmp:
        tmp.write_text(f"{ctx.summary.talent_counts}\n", encoding="utf-8")
    return Path(ctx.output_path)


@hookimpl
def register_writers(register):
    register(Writer("counts", write_counts, ".txt", "talent counts as one line"))  # output.writers: [xlsx, counts]
