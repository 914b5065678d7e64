"""The skill as pip installs it, for the cold-start benchmark.

The wheel is built from this checkout with `python -m build` (in a copy of the source tree, as
tests/test_installed_wheel.py does) and installed, not editable, with the DynamoDB extra into a
fresh virtual environment by pip, which compiles the bytecode as it does by default. The measured
processes import the handler from a folder holding only lambda_function.py and run from a
working directory outside the checkout, so `skill` can come only from that venv's site-packages
(each process reports where it came from; the benchmark rejects any other place).
"""

from __future__ import annotations

import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from installs import build, copy_source_tree, venv_with

#: The extra the Lambda bundle carries too (boto3 comes with Lambda's runtime).
EXTRA = "dynamodb"


@dataclass(frozen=True)
class Installed:
    python: Path
    #: Where `skill` must be imported from.
    site_packages: Path
    #: Holds lambda_function.py alone, as Lambda's task root holds it beside the bundle.
    handler_dir: Path


def install(repo: Path, work: Path) -> Installed:
    """Builds the wheel and installs it with its dependencies into a fresh venv under `work`."""
    dist = work / "dist"
    build(copy_source_tree(repo, work / "source"), dist, wheel_only=True)
    (wheel,) = dist.glob("*.whl")
    bin_dir = venv_with(work / "venv", f"{wheel}[{EXTRA}]")
    handler_dir = work / "handler"
    handler_dir.mkdir()
    shutil.copyfile(repo / "lambda" / "lambda_function.py", handler_dir / "lambda_function.py")
    return Installed(bin_dir / "python", work / "venv" / "lib", handler_dir)
