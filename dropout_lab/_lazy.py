"""Import a package's submodules on first attribute access, so `import dropout_lab` stays light."""
from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any


def lazy_submodules(package: str, namespace: dict[str, Any]) -> Callable[[str], Any]:
    """Return a module `__getattr__` that imports `package.<name>` when `name` is first used."""
    def __getattr__(name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            module = importlib.import_module(f".{name}", package)
        except ModuleNotFoundError as error:
            if error.name != f"{package}.{name}":
                raise
            raise AttributeError(f"module {package!r} has no attribute {name!r}") from None
        namespace[name] = module
        return module
    return __getattr__
