"""The site's and README's launch links come from one place, the repository URL (issue 14)."""
from __future__ import annotations

import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tools"))
import build_site  # noqa: E402
import lessons as lesson_tools  # noqa: E402

URL = "https://github.com/example/dropout-lab"


def test_repository_url_is_read_from_project_urls(tmp_path):
    (tmp_path / "pyproject.toml").write_text(f'[project]\nname = "x"\n\n[project.urls]\nRepository = "{URL}"\n')
    assert build_site.repository_url(tmp_path) == URL
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n')
    assert build_site.repository_url(tmp_path) is None


def test_links_are_generated_from_the_url_and_say_plainly_when_it_is_unset():
    page = build_site.live_links("03_rate_variance.ipynb", URL)
    assert "mybinder.org/v2/gh/example/dropout-lab/HEAD?labpath=notebooks%2F03_rate_variance.ipynb" in page
    assert "colab.research.google.com/github/example/dropout-lab/blob/main/notebooks/03_rate_variance.ipynb" in page
    assert "not set" in build_site.live_links("03_rate_variance.ipynb", None)
    readme = lesson_tools.launch_section(URL)
    assert f"!git clone --depth 1 {URL} dropout-lab" in readme and "%pip install -e dropout-lab" in readme
    assert "mybinder.org" in readme
    unset = lesson_tools.launch_section(None)
    assert "not set yet" in unset and "<this" not in unset  # no placeholder left


def test_the_readme_launch_section_is_the_generated_one():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert lesson_tools.launch_section(build_site.repository_url(REPO)) in readme
    assert "this repository's URL>" not in readme


def test_site_pages_show_dashboards_as_pictures_with_a_note(tmp_path):
    dashboard = {"cell_type": "code", "source": "widgets.x()", "metadata": {}, "outputs": [
        {"output_type": "display_data", "metadata": {},
         "data": {"text/plain": "Dashboard: t (rate=0.5) — x: 1", "image/png": "iVBOR",
                  "application/vnd.jupyter.widget-view+json": {"model_id": "m"}}}]}
    notebook = {"cells": [{"cell_type": "markdown", "source": "# 99 · T", "metadata": {}}, dashboard],
                "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path = tmp_path / "99_t.ipynb"
    path.write_text(json.dumps(notebook))
    shown = build_site.site_notebook(path, None)
    kinds = [c["cell_type"] for c in shown["cells"]]
    assert kinds == ["markdown", "markdown", "code", "markdown"]  # title, launch links, dashboard, note
    assert "application/vnd.jupyter.widget-view+json" not in shown["cells"][2]["outputs"][0]["data"]
    assert "default settings" in shown["cells"][3]["source"]
    assert len({c["id"] for c in shown["cells"]}) == 4
