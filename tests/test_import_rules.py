"""The arrows the design allows stay true: the import-linter contracts in pyproject.toml are kept."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import tracker

ROOT = Path(__file__).resolve().parent.parent


def _contracts() -> list[dict]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]


def test_the_contracts_are_kept():
    run = subprocess.run([Path(sys.executable).parent / "lint-imports", "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    assert f"{len(_contracts())} kept, 0 broken" in run.stdout


def test_every_domain_is_placed_in_the_layers():
    domains = {f"tracker.{p.name}" for p in Path(tracker.__file__).parent.iterdir() if (p / "__init__.py").exists()}
    across, inside, _ = _contracts()
    placed = {name.strip() for layer in across["layers"] for name in layer.split("|")}
    assert placed == domains
    assert set(inside["containers"]) == domains - {"tracker.core"}
