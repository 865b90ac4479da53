"""`python -m dropout_lab.doctor`: what it finds and what it tells the learner to do (issue 5)."""
from __future__ import annotations

import importlib.metadata as metadata
import json
import subprocess
import sys

import pytest

from dropout_lab import doctor

WIDGETS = doctor.WIDGET_EXTENSION


def lab_page(extensions: list[str], disabled: list[str] = ()) -> str:
    config = {"federated_extensions": [{"name": n, "load": "x.js"} for n in extensions],
              "disabledExtensions": list(disabled)}
    return f'<html><script id="jupyter-config-data" type="application/json">{json.dumps(config)}</script></html>'


@pytest.mark.slow
def test_runs_as_a_module_and_reports_everything():
    result = subprocess.run([sys.executable, "-m", "dropout_lab.doctor"], capture_output=True, text=True,
                            timeout=240)
    out = result.stdout
    for expected in ("Python 3.", "numpy ", "ipywidgets ", "jupyterlab ", "torch ", "keras ", "device:",
                     "ipywidgets JupyterLab extension"):
        assert expected in out, out
    # 0 exactly when every line is ok (this environment is the course's own .venv).
    assert result.returncode == (1 if "XX " in out else 0), out
    assert out.rstrip().endswith("All good.") == (result.returncode == 0)


def test_unsupported_python_is_a_problem_with_a_fix():
    assert doctor.check_python((3, 11)).ok
    old = doctor.check_python((3, 8))
    assert not old.ok and "3.10-3.12" in old.what and "Python 3.11" in old.fix


def test_missing_package_says_how_to_install(monkeypatch):
    real = metadata.version

    def version(name):
        if name == "ipywidgets":
            raise metadata.PackageNotFoundError(name)
        return real(name)
    monkeypatch.setattr(metadata, "version", version)
    finding = doctor.check_package("ipywidgets")
    assert not finding.ok and "not installed" in finding.what and "make setup" in finding.fix
    assert doctor.check_package("no-such-dist|numpy").ok  # alternatives: the first installed one


def test_widget_extension_installed_enabled_disabled_missing(tmp_path):
    data, config = tmp_path / "labextensions", tmp_path / "etc"
    missing = doctor.check_widget_extension([str(data)], [str(config)])
    assert not missing.ok and "pip install" in missing.fix
    (data / WIDGETS).mkdir(parents=True)
    (data / WIDGETS / "package.json").write_text('{"version": "5.0.16"}')
    assert doctor.check_widget_extension([str(data)], [str(config)]).ok
    (config / "labconfig").mkdir(parents=True)
    (config / "labconfig" / "page_config.json").write_text(json.dumps({"disabledExtensions": {WIDGETS: True}}))
    disabled = doctor.check_widget_extension([str(data)], [str(config)])
    assert not disabled.ok and "disabled" in disabled.what and f"labextension enable {WIDGETS}" in disabled.fix


def test_reads_whether_a_running_lab_loaded_the_widget_manager():
    assert doctor.widget_extension_active(lab_page(["jupyterlab_pygments", WIDGETS])) is True
    assert doctor.widget_extension_active(lab_page(["jupyterlab_pygments"])) is False
    assert doctor.widget_extension_active(lab_page([WIDGETS], disabled=[WIDGETS])) is False
    assert doctor.widget_extension_active("<html>classic page</html>") is None


def test_running_servers_each_get_a_verdict():
    servers = [{"url": "http://127.0.0.1:1/", "pid": 1}, {"url": "http://127.0.0.1:2/", "pid": 2},
               {"url": "http://127.0.0.1:3/", "pid": 3}]

    def fetch(server):
        if server["pid"] == 3:
            raise OSError("connection refused")
        return lab_page([WIDGETS] if server["pid"] == 1 else [])
    good, bad, unreachable = doctor.check_servers(servers, fetch)
    assert good.ok and "active" in good.what
    assert not bad.ok and "NOT active" in bad.what and "make lab" in bad.fix
    assert unreachable.ok and "could not be asked" in unreachable.what
    assert doctor.check_servers([], fetch)[0].ok  # none running is fine


def test_exit_code_is_one_when_anything_is_wrong(monkeypatch, capsys):
    findings = [doctor.Finding(True, "a"), doctor.Finding(False, "b", "do c")]
    monkeypatch.setattr(doctor, "run_checks", lambda: iter(findings))
    assert doctor.main() == 1
    out = capsys.readouterr().out
    assert "XX  b" in out and "fix: do c" in out and "1 problem(s)" in out
    monkeypatch.setattr(doctor, "run_checks", lambda: iter([doctor.Finding(True, "a")]))
    assert doctor.main() == 0


def test_minimal_install_without_jupyter_core_is_reported_not_raised(monkeypatch):
    import builtins
    real_import = builtins.__import__

    def no_jupyter(name, *args, **kwargs):
        if name.startswith("jupyter_core"):
            raise ImportError(f"No module named {name!r}")
        return real_import(name, *args, **kwargs)
    monkeypatch.setattr(builtins, "__import__", no_jupyter)
    finding = doctor.check_widget_extension()
    assert not finding.ok and "jupyter_core" in finding.what and "make setup" in finding.fix


def test_says_it_is_working_at_once_then_streams_each_line(monkeypatch, capsys):
    seen_before = []

    def checks():
        seen_before.append(capsys.readouterr().out)  # what was printed before the first check ran
        yield doctor.Finding(True, "first")
    monkeypatch.setattr(doctor, "run_checks", checks)
    assert doctor.main() == 0
    assert seen_before[0].startswith("Dropout Lab doctor: checking your setup")


def test_gpu_line_explains_a_cpu_only_build():
    finding = doctor.check_gpu()
    import torch
    if torch.version.cuda is None:
        assert finding.ok and "CPU-only build" in finding.what and "--index-url" in finding.fix
        assert "torch>=2.7,<=2.13.0" in finding.fix


def test_a_missing_framework_names_the_lessons_that_need_it(monkeypatch):
    from dropout_lab import frameworks
    real = frameworks.is_installed
    monkeypatch.setattr(frameworks, "is_installed", lambda name: False if name == "torch" else real(name))
    torch_line = next(f for f in doctor.check_frameworks() if f.what.startswith("torch"))
    assert not torch_line.ok and "01" in torch_line.what and "pip install" in torch_line.fix
