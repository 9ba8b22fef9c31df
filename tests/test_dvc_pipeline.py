"""`dvc repro` in a copy of the repository: builds, is a no-op when nothing changed, and
reruns the stages downstream of an edited article; on a fresh clone it leaves dvc.lock
as committed; each stage declares every project module it imports. No remote, no network."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import yaml

from conftest import REPO
from etl.cache import imported_files

BIN = Path(sys.executable).parent
# metrics/ holds the score stage, whose dev corpus (../shared) is not beside the copy.
SKIP = {".venv", ".git", ".pytest_cache", "__pycache__", "interim", "tmp", "cache", "metrics"}


def copy_repository(target: Path, skip: frozenset[str] | set[str] = frozenset(SKIP)) -> Path:
    """A copy of the checkout without its build products, dvc.lock or git history, as a fresh git repository."""
    def ignore(directory, names):
        ignored = {name for name in names if name in skip or name.endswith(".egg-info")}
        if Path(directory) == REPO / "data" / "processed":
            ignored |= {name for name in names if name != ".gitkeep"}
        return ignored

    shutil.copytree(REPO, target, ignore=ignore)
    (target / "dvc.lock").unlink(missing_ok=True)
    subprocess.run(["git", "init", "-q"], cwd=target, check=True)
    return target


def dvc(repo: Path, *args: str) -> str:
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", "DVC_NO_ANALYTICS": "1"}
    done = subprocess.run([str(BIN / "dvc"), *args], cwd=repo, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


def test_dvc_repro_builds_then_reruns_only_what_changed(tmp_path):
    repo = copy_repository(tmp_path / "repo")

    first = dvc(repo, "repro")
    for stage in ("ingest", "extract", "link", "validate", "publish"):
        assert f"Running stage '{stage}'" in first
    with duckdb.connect(str(repo / "data" / "processed" / "uofdb.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from incidents").fetchall() == [(2,)]

    again = dvc(repo, "repro")
    assert "Running stage" not in again
    assert "up to date" in dvc(repo, "status")

    article = next((repo / "data" / "raw").glob("004_*.txt"))
    article.write_text(article.read_text().replace("believed to be 40", "believed to be 41"))
    edited = dvc(repo, "repro")
    for stage in ("ingest", "extract", "link", "validate", "publish"):
        assert f"Running stage '{stage}'" in edited


# --- a fresh clone: `make build` (dvc repro) leaves `git status` clean -----------------------

GIT = ["git", "-c", "user.name=uofdb-test", "-c", "user.email=uofdb-test@example.invalid", "-c", "commit.gpgsign=false"]


def fresh_clone(target: Path) -> Path:
    """The files a clone of this checkout would have, if it were committed as it stands."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=REPO,
                            capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = REPO / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    subprocess.run(GIT + ["init", "-q"], cwd=target, check=True)
    subprocess.run(GIT + ["add", "-A"], cwd=target, check=True)
    subprocess.run(GIT + ["commit", "-q", "-m", "clone"], cwd=target, check=True)
    return target


def test_on_a_fresh_clone_dvc_repro_leaves_git_status_clean_and_every_stage_sees_shared_code(tmp_path):
    repo = fresh_clone(tmp_path / "clone")
    built = dvc(repo, "repro")
    for stage in ("ingest", "extract", "link", "validate", "publish"):
        assert f"Running stage '{stage}'" in built
    status = subprocess.run(["git", "status", "--porcelain"], cwd=repo, capture_output=True, text=True, check=True).stdout
    diff = subprocess.run(["git", "diff"], cwd=repo, capture_output=True, text=True).stdout
    assert status == "", (f"`dvc repro` on a fresh clone changed:\n{status}\n{diff[:3000]}\ndvc.lock is not in step "
                          "with the code: run `make build` and commit dvc.lock with the change")
    assert (repo / "data" / "processed" / "uofdb.duckdb").exists()  # written by publish, not tracked by dvc
    # A module every stage imports (etl/tables.py): editing it marks every stage changed.
    tables = repo / "etl" / "tables.py"
    tables.write_text(tables.read_text() + "\n# edited\n")
    changed = json.loads(dvc(repo, "status", "--json", "dvc.yaml").strip().splitlines()[-1])
    assert set(changed) == {"ingest", "extract", "link", "validate", "publish"}, changed


# --- every stage declares the project modules it imports ----------------------------------

PROJECT = ("etl", "schema")


def project_imports(module: str) -> set[str]:
    """Files under etl/ and schema/ that importing `module` runs (`etl.cache.imported_files`), relative to the checkout."""
    return {path.relative_to(REPO).as_posix() for path in imported_files(module)}


def stages() -> dict[str, dict]:
    return yaml.safe_load((REPO / "dvc.yaml").read_text())["stages"]


def test_each_stage_declares_every_project_module_it_imports():
    missing = {}
    for name, stage in stages().items():
        words = stage["cmd"].split()
        command = next(i for i, word in enumerate(words) if word.rsplit("/", 1)[-1] == "uofdb")
        assert words[command + 1] == name, f"{name}: the stage runs `uofdb {name}`"
        declared = [dep.rstrip("/") for dep in stage["deps"] if "${" not in dep]
        imported = project_imports(f"etl.{name}")
        assert f"etl/{name}.py" in imported or f"etl/{name}/__init__.py" in imported
        uncovered = sorted(f for f in imported if not any(f == d or f.startswith(d + "/") for d in declared))
        if uncovered:
            missing[name] = uncovered
    assert missing == {}, f"add these to the stages' deps in dvc.yaml: {missing}"


def test_each_declared_code_dependency_is_imported_by_its_stage():
    stale = {}
    for name, stage in stages().items():
        imported = project_imports(f"etl.{name}")
        code = [dep.rstrip("/") for dep in stage["deps"] if dep.split("/")[0] in PROJECT]
        unused = [d for d in code if not any(f == d or f.startswith(d + "/") for f in imported)]
        if unused:
            stale[name] = unused
    assert stale == {}, f"declared but not imported (remove from dvc.yaml, or import): {stale}"


def test_the_import_walk_finds_function_level_relative_and_package_imports(tmp_path):
    link = project_imports("etl.link")
    assert {"etl/__init__.py", "etl/linking/__init__.py", "etl/linking/ids.py", "etl/tables.py",
            "schema/codebook.py"} <= link
    assert "etl/cli.py" not in link and not any(f.startswith("tests/") for f in link)
    assert "etl/readers.py" in project_imports("etl.ingest")
