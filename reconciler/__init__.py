"""reconciler: reconcile HR spreadsheets against Feishu / Lark Hire and CoreHR."""

import importlib
import importlib.abc
import importlib.util
import logging
import sys

__version__ = "0.1.0"

# A library logs; the application decides where to. Without this, Python's
# last-resort handler would print warnings (and tracebacks) on stderr.
logging.getLogger("reconciler").addHandler(logging.NullHandler())

# Import paths that docs/plugins.md documented before the package was grouped by
# stage. A plugin written against them keeps working: the old name is the new
# module itself (same objects), imported only when asked for.
MOVED_MODULES = {
    "reconciler.normalize": "reconciler.matching.normalize",
}


class _MovedModuleFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, fullname, path=None, target=None):
        if fullname in MOVED_MODULES:
            return importlib.util.spec_from_loader(fullname, self)
        return None

    def create_module(self, spec):
        return importlib.import_module(MOVED_MODULES[spec.name])

    def exec_module(self, module):
        pass  # the new module ran when create_module imported it


if not any(isinstance(finder, _MovedModuleFinder) for finder in sys.meta_path):
    sys.meta_path.append(_MovedModuleFinder())
