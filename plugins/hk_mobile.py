"""Hong Kong / Macau mobiles: a matcher `hk_mobile` whose numbers default to +852.

A sheet kept by a Hong Kong office writes local mobiles as 8 digits
(9123 4567) and mainland ones as 11 digits (138 0013 8000). The built-in
`mobile` matcher reads every number without a code with one default code;
`hk_mobile` reads 11 digits starting with 1 as a mainland mobile (+86) and
everything else as Hong Kong (+852), or Macau with `default_code: "853"`.
A +CC / 00CC prefix in the cell or a code column still wins.

Recipe (load with --plugins plugins/hk_mobile.py, or the whole plugins folder):

    talent:
      inputs:
        hk_mobile: {column: 手机号, code_column: 区号}   # Macau: add default_code: "853"
"""

from reconciler.hookspecs import hookimpl
from reconciler.matching import IdentifierMatcher
from reconciler.normalize import normalise_mobile

__version__ = "1.0"

LOCAL_DEFAULT = "852"  # when the recipe does not set default_code


class HongKongMacauMobile(IdentifierMatcher):
    name = "hk_mobile"
    description = "mobile; 8 digits: Hong Kong +852 (Macau: default_code 853), 11 digits from 1: mainland +86"

    def columns(self, spec):
        return [c for c in (spec.column, spec.code_column) if c]

    def identify(self, row, spec):
        cell = row.get(spec.column)
        # default_code defaults to "86" in every recipe; here only an explicit one counts.
        default = spec.default_code if "default_code" in spec.model_fields_set else LOCAL_DEFAULT
        digits = "".join(ch for ch in cell.text if ch.isdigit())
        if len(digits) == 11 and digits.startswith("1"):
            default = "86"  # a mainland mobile in a Hong Kong sheet
        return normalise_mobile(
            cell,
            code_cell=row.get(spec.code_column) if spec.code_column else None,
            default_code=default,
            column=spec.column,
            code_column=spec.code_column or "",
        )


@hookimpl
def register_matchers(register):
    register(HongKongMacauMobile())
