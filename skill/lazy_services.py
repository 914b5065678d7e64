"""Defers the Alexa service clients (ask_sdk_model.services) until a request calls a service.

ask-sdk-core imports names from ask_sdk_model.services as it loads (its serializer's base class,
the skill's ApiConfiguration and ServiceClientFactory), and that package's __init__ imports the
ServiceClientFactory, which imports all eleven service clients and their models: about 50 ms,
half of a Lambda cold start, although only the cold-pack timer step calls a service.

:func:`install` puts a package object for ask_sdk_model.services in place before anything imports
it. The object loads each of the names the SDK's __init__ exports from that name's own light
submodule on first use, and its ServiceClientFactory is :class:`LazyServiceClientFactory`, which
loads the SDK's real factory (and its clients) when a service client is first asked for.
Everything else about the package is the SDK's: the same folder, the same submodules.

It relies on the shape of ask-sdk-model's services/__init__.py (only ``from .module import Name``
lines; pinned in pyproject.toml). When that file has any other shape, or the package was already
imported, :func:`install` leaves the SDK alone and the skill simply starts slower.
"""

from __future__ import annotations

import importlib
import re
import sys
from importlib.util import find_spec, module_from_spec
from pathlib import Path
from types import ModuleType
from typing import Any

PACKAGE = "ask_sdk_model.services"
FACTORY = "ServiceClientFactory"
_EXPORT = re.compile(r"from \.(\w+) import (\w+)")
_IGNORED = ("", "from __future__ import absolute_import")


class LazyServiceClientFactory:
    """Stands in for the SDK's ServiceClientFactory (the skill builds one per request) until a
    service client is asked for: then the real factory is loaded and does the work."""

    def __init__(self, api_configuration: Any) -> None:
        self.api_configuration = api_configuration
        self._factory: Any = None

    def __getattr__(self, name: str) -> Any:
        # Called only for what the instance lacks: the factory's get_..._service methods.
        if name.startswith("__"):
            raise AttributeError(name)
        if self._factory is None:
            from ask_sdk_model.services.service_client_factory import ServiceClientFactory

            self._factory = ServiceClientFactory(self.api_configuration)
        return getattr(self._factory, name)


def exports(init_source: str) -> dict[str, str] | None:
    """Name -> submodule for a package __init__ made only of ``from .sub import Name`` lines."""
    found: dict[str, str] = {}
    for raw in init_source.splitlines():
        line = raw.split("#", 1)[0].strip()
        if line in _IGNORED:
            continue
        match = _EXPORT.fullmatch(line)
        if match is None:
            return None
        found[match.group(2)] = match.group(1)
    return found if FACTORY in found else None


def install() -> bool:
    """Puts the lazy ask_sdk_model.services in place; True when it is (now) the one in use."""
    loaded = sys.modules.get(PACKAGE)
    if loaded is not None:
        return bool(getattr(loaded, "__lazy_services__", False))
    spec = find_spec(PACKAGE)  # imports ask_sdk_model itself, which every skill needs anyway
    if spec is None or spec.origin is None or spec.submodule_search_locations is None:
        return False
    names = exports(Path(spec.origin).read_text(encoding="utf-8"))
    if names is None:
        return False
    package = module_from_spec(spec)  # the package object, without running its __init__
    package.__lazy_services__ = True  # type: ignore[attr-defined]
    package.__getattr__ = _loader(package, names)  # type: ignore[method-assign]
    sys.modules[PACKAGE] = package
    parent, _, child = PACKAGE.rpartition(".")
    setattr(sys.modules[parent], child, package)
    return True


def _loader(package: ModuleType, names: dict[str, str]) -> Any:
    def load(name: str) -> Any:
        module = names.get(name)
        if module is None:
            raise AttributeError(f"module {PACKAGE!r} has no attribute {name!r}")
        if name == FACTORY:
            value: Any = LazyServiceClientFactory
        else:
            value = getattr(importlib.import_module(f"{PACKAGE}.{module}"), name)
        setattr(package, name, value)  # found directly from now on
        return value

    return load
