# docs/plugins.md before the plugin API (issue 17), kept unchanged: old import paths must keep working.
import datetime as dt

from reconciler.hookspecs import hookimpl


@hookimpl
def row_outputs(row, outcome, recipe):
    end = outcome.values.get("Probation end")  # a job_data column of the recipe
    if not end:
        return None
    return {"Probation ends in (days)": (dt.date.fromisoformat(str(end)[:10]) - dt.date.today()).days}
