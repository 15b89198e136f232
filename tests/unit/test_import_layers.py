"""Apps import downward only (docs/architecture.md, "Layers"): kpis at the bottom, then projects |
population, revisions, council, dashboard | front, and nemuro_strategy/urls.py on top. The layers
are the import-linter contract in pyproject.toml ([tool.importlinter]); an upward import anywhere
(a lazy one inside a function too) fails `make test` and CI here, with import-linter's report."""

import subprocess
import sys
import tomllib
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]


def _lint_imports(config):
    """import-linter run on `config` (a pyproject.toml path) from the repository's root; no cache
    (nothing written into the checkout, and parallel workers do not share one)."""
    code = (
        "import sys; from importlinter.cli import lint_imports; "
        f"sys.exit(lint_imports(config_filename={str(config)!r}, no_cache=True, no_logo=True))"
    )
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def _config():
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
        "importlinter"
    ]


def test_it_finds_no_import_pointing_up_a_layer():
    run = _lint_imports(ROOT / "pyproject.toml")
    assert run.returncode == 0, run.stdout + run.stderr


def test_it_puts_every_app_of_the_project_in_a_layer():
    layers = _config()["contracts"][0]["layers"]
    named = {name.strip() for layer in layers for name in layer.split("|")}
    ours = {app for app in settings.INSTALLED_APPS if (ROOT / app).is_dir()}
    assert ours - named == set(), "an app in INSTALLED_APPS that no layer of pyproject.toml names"
    assert ours <= set(_config()["root_packages"])


def test_it_reports_an_import_that_points_up(tmp_path):
    # The same graph with the layers upside down must break the contract: the check sees the
    # project's imports (an empty or misconfigured graph would pass everything).
    config = _config()
    layers = list(reversed(config["contracts"][0]["layers"]))
    roots = ", ".join(f'"{r}"' for r in config["root_packages"])
    layer_list = ", ".join(f'"{layer}"' for layer in layers)
    upside_down = tmp_path / "pyproject.toml"
    upside_down.write_text(
        f"[tool.importlinter]\nroot_packages = [{roots}]\n\n"
        '[[tool.importlinter.contracts]]\nname = "upside down"\ntype = "layers"\n'
        f"layers = [{layer_list}]\n",
        encoding="utf-8",
    )
    run = _lint_imports(upside_down)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "kpis" in run.stdout and "BROKEN" in run.stdout
