"""The interaction models that ship with the package, one per locale (en-US.json, ...).

They live in the repository's interaction_models/ folder, which pyproject.toml installs as the
package ``skill.interaction_models``; importlib.resources finds them wherever pip put the package
(a wheel in site-packages, or an editable install pointing back at the checkout). Only the
simulator and the skill package need them: Alexa holds its own copy of each model.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

PACKAGE = "skill.interaction_models"
#: The locale whose model the simulator falls back to for a locale Alexa has no model for.
DEFAULT_LOCALE = "en-US"


def models_dir() -> Path:
    """The folder holding the installed models."""
    # A package installed from a wheel or in editable mode is on the file system, so this is a
    # real folder (the skill is never imported from a zip).
    return Path(str(resources.files(PACKAGE)))


def model_path(locale: str) -> Path:
    """The model file for `locale`; it may not exist (a locale without a model)."""
    return models_dir() / f"{locale}.json"
