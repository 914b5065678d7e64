"""The optional extras: the modules checked for each are the ones its requirements install.

What a missing extra looks like to a user is tested on a real core-only install
(tests/test_installed_wheel.py); these keep skill.extras and pyproject.toml in step.
"""

from __future__ import annotations

import re
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

from skill.extras import EXTRA_MODULES, MissingExtra, require

ROOT = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirement_name(requirement: str) -> str:
    name = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement)
    assert name is not None, requirement
    return _normalise(name.group(0))


@pytest.mark.parametrize("extra", sorted(EXTRA_MODULES))
def test_each_checked_module_comes_from_the_extras_own_requirements(extra: str) -> None:
    required = {_requirement_name(r) for r in PROJECT["optional-dependencies"][extra]}
    providers = packages_distributions()
    provided_by = {
        module: {_normalise(dist) for dist in providers[module]} for module in EXTRA_MODULES[extra]
    }
    # Each module is installed by one of the extra's requirements, and each requirement has a
    # module checked: the check fails exactly when the extra is missing.
    assert all(dists & required for dists in provided_by.values()), provided_by
    assert set().union(*provided_by.values()) & required == required


def test_every_extra_a_command_can_need_is_checked() -> None:
    # dev only gathers the others and the test tools; it is never required at run time.
    assert set(PROJECT["optional-dependencies"]) - {"dev"} == set(EXTRA_MODULES)


def test_require_passes_when_the_extra_is_installed() -> None:
    for extra in EXTRA_MODULES:
        require(extra, "this test")  # the dev extra includes them all


def test_missing_extra_message_names_the_extra_and_the_pip_command() -> None:
    missing = MissingExtra("web", "cramp-coach serve", "flask")
    assert str(missing) == (
        "cramp-coach serve needs the web extra (flask is not installed): "
        "pip install 'cramp-coach[web]'"
    )
