# docs/plugins.md before the plugin API (issue 17), kept unchanged: old import paths must keep working.
from reconciler.hookspecs import hookimpl


@hookimpl
def register_output_columns(recipe, register):
    if recipe.job_data is not None:
        register("Probation ends in (days)")
