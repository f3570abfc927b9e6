"""openpyxl's own load_workbook + save of a workbook: the floor of any writer that loads it whole.

Usage: python benchmarks/openpyxl_roundtrip.py IN.xlsx OUT.xlsx
"""

import sys

from openpyxl import load_workbook

load_workbook(sys.argv[1]).save(sys.argv[2])
