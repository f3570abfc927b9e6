"""A derived column "Mobile (E.164)": each row's mobile as +CCNNN..., ready for another system.

HR systems, SMS tools and Feishu imports want one format; sheets hold
"138 0013 8000", "+852 9123-4567", a code column, full-width digits. This
plugin adds a text column with the number in E.164 (+8613800138000) for every
row whose `mobile` input is valid, read exactly as the built-in matcher reads
it (code column, default_code), and leaves it empty otherwise: the talent note
already says why. Recipes without a `mobile` input get no extra column.

Load with --plugins plugins/mobile_e164.py (or the whole plugins folder).
"""

from reconciler.hookspecs import hookimpl
from reconciler.normalize import normalise_mobile

__version__ = "1.0"

HEADER = "Mobile (E.164)"


def _mobile_spec(recipe):
    return recipe.talent.inputs.get("mobile") if recipe.talent else None


@hookimpl
def register_output_columns(recipe, register):
    if _mobile_spec(recipe) is not None:
        register(HEADER, kind="text")  # text: a phone number must never become a number cell


@hookimpl
def row_outputs(row, outcome, recipe):
    spec = _mobile_spec(recipe)
    if spec is None:
        return None
    code_cell = row.get(spec.code_column) if spec.code_column else None
    mobile = normalise_mobile(row.get(spec.column), code_cell=code_cell, default_code=spec.default_code)
    if mobile.key is None:
        return None
    return {HEADER: f"+{mobile.key.group}{mobile.key.value}"}
