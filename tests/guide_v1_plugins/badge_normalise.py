# docs/plugins.md before the plugin API (issue 17), kept unchanged: old import paths must keep working.
import re

from reconciler.hookspecs import hookimpl
from reconciler.matching import invalid_value, valid_value


@hookimpl
def normalise_value(kind, cell, spec, row):
    if kind == "id_number" and row.get("证件类型").text.strip() == "工卡":
        badge = cell.text.strip().upper()
        if not re.fullmatch(r"HK\d{6}", badge):
            return invalid_value("id_number", cell, f"badge {badge} in column {spec.column} is not HK + 6 digits")
        return valid_value("id_number", cell, badge, group="5")  # type 5: other
    return None  # everything else: the built-in rules
