# docs/plugins.md before the plugin API (issue 17), kept unchanged: old import paths must keep working.
# my_plugins/follow_up.py: a "Follow-up" column, "yes" where a person needs a look
from reconciler.hookspecs import hookimpl


@hookimpl
def register_output_columns(recipe, register):
    register("Follow-up")  # declare the column once per run


@hookimpl
def row_outputs(row, outcome, recipe):
    # called for every row after matching: return {column header: value}
    if outcome.talent_status not in (None, "matched"):
        return {"Follow-up": "yes"}
