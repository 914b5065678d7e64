"""The skill's interaction models, one JSON file per locale, shipped as skill.interaction_models.

This folder is the source of truth (en-US.json by hand, the others from tools/sync_models.py);
pyproject.toml maps it into the wheel, and skill.locale_models finds the files at run time.
"""
