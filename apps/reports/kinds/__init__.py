"""Report kinds, one module per owning app; every module here is imported at start-up."""

import pkgutil
from importlib import import_module


def load_all() -> None:
    for module in pkgutil.iter_modules(__path__):
        import_module(f"{__name__}.{module.name}")
