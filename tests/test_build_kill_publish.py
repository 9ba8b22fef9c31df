"""A publish killed (SIGKILL) at every one of its steps, between every two renames, leaves an
output folder that shows the previous build or the new one, never a mix; the next publish
then replaces it cleanly.

The steps are the names publish passes to its test hook (`etl.publish._reached`), recorded
from a real publish. Each kill is a real process: a driver forks one child per step, sets
UOFDB_TEST_KILL_AT to the step and lets publish kill itself there (forking from one driver
saves an interpreter start per step; as many children run at once as there are CPUs).
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from conftest import SAMPLE
from etl import params, publish
from etl.build import build

DRIVER = """
import json, os, sys
from pathlib import Path
from etl import publish

validated, jobs = Path(sys.argv[1]), json.loads(sys.argv[2])
statuses, running = {}, {}
for index, (out, step) in enumerate(jobs):
    while len(running) >= (os.cpu_count() or 1):
        pid, status = os.wait()
        statuses[running.pop(pid)] = status
    pid = os.fork()
    if pid == 0:
        os.environ[publish.KILL_AT] = step
        try:
            publish.run(validated, Path(out))
        finally:
            os._exit(0)
    running[pid] = index
while running:
    pid, status = os.wait()
    statuses[running.pop(pid)] = status
print(json.dumps([statuses[index] for index in range(len(jobs))]))
"""


@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    """Build A (four of the sample articles) published into a folder, and build B (all five):
    its validated tables, ready to publish, and the bytes of its Parquet files."""
    root = tmp_path_factory.mktemp("kill-publish")
    raw_a = root / "raw-a"
    shutil.copytree(SAMPLE, raw_a)
    sorted(raw_a.iterdir())[-1].unlink()
    build(raw_a, root / "a", params.load(None))
    build(SAMPLE, root / "b", params.load(None), interim=root / "interim-b")
    return {"root": root, "a": root / "a", "validated": root / "interim-b" / "validated",
            "a_files": contents(root / "a"), "b_files": contents(root / "b")}


def contents(out: Path) -> dict[str, object]:
    """What each published name shows: the Parquet bytes, the database's article ids; None when unreadable."""
    shown = {}
    for name in publish.published_names():
        path = out / name
        if not path.exists():
            shown[name] = None
        elif name == publish.DATABASE:
            with duckdb.connect(str(path), read_only=True) as con:
                shown[name] = tuple(row[0] for row in con.execute("select article_id from articles order by 1").fetchall())
        else:
            shown[name] = path.read_bytes()
    return shown


def shown(out: Path, builds: dict) -> dict[str, str | None]:
    """For each published name: 'old' (build A), 'new' (build B), None when it cannot be opened."""
    states = {}
    for name, value in contents(out).items():
        old, new = value == builds["a_files"][name], value == builds["b_files"][name]
        states[name] = None if value is None else "either" if old and new else "old" if old else "new" if new else "other"
    return states


def legacy(out: Path, builds: dict) -> None:
    """An output folder of the older layout: the previous build's files as real files, no .uofdb."""
    out.mkdir()
    for name in publish.published_names():
        shutil.copyfile(builds["a"] / name, out / name)


def linked(out: Path, builds: dict) -> None:
    shutil.copytree(builds["a"], out, symlinks=True)


def links_deleted(out: Path, builds: dict) -> None:
    """What `dvc repro` leaves before running publish: the published names (its outs) deleted."""
    linked(out, builds)
    for name in publish.published_names():
        (out / name).unlink()


def empty(out: Path, builds: dict) -> None:
    pass


SCENARIOS = {"previous build": linked, "older layout": legacy, "names deleted by dvc": links_deleted,
             "first build": empty}


def steps_of(prepare, builds, tmp_path, monkeypatch) -> list[str]:
    reached = []
    monkeypatch.setattr(publish, "_reached", reached.append)
    out = tmp_path / "trace"
    prepare(out, builds)
    publish.run(builds["validated"], out)
    monkeypatch.undo()
    shutil.rmtree(out)
    return reached


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_a_publish_killed_at_any_step_leaves_the_old_build_or_the_new(scenario, builds, tmp_path, monkeypatch):
    prepare = SCENARIOS[scenario]
    prepare(tmp_path / "before", builds)
    before = shown(tmp_path / "before", builds)
    steps = steps_of(prepare, builds, tmp_path, monkeypatch)
    assert "switch:done" in steps and any(step.startswith("staged:") for step in steps)
    if scenario == "older layout":
        assert any(step.startswith("adopted:") for step in steps)
    jobs = []
    for index, step in enumerate(steps):
        out = tmp_path / f"out-{index}"
        prepare(out, builds)
        jobs.append((str(out), step))
    done = subprocess.run([sys.executable, "-c", DRIVER, str(builds["validated"]), json.dumps(jobs)],
                          capture_output=True, text=True, check=True)
    statuses = json.loads(done.stdout.strip().splitlines()[-1])
    switched = steps.index("switch:done")
    wrong = {}
    for index, ((out, step), status) in enumerate(zip(jobs, statuses)):
        assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == 9, f"{step}: publish was not killed there ({status})"
        states = shown(Path(out), builds)
        if index < switched:
            # Before the switch: the previous build, as it was (a name dvc deleted may be back, showing it).
            fine = all(states[name] == before[name] or (before[name] is None and states[name] in ("old", "either"))
                       for name in states)
            fine = fine and (set(states.values()) <= {"old", "either", None})
        else:
            fine = set(states.values()) <= {"new", "either"} and "new" in states.values()
        if not fine:
            wrong[step] = states
    assert wrong == {}, f"killed at these steps, the folder showed a mix: {wrong}"

    # The next publish into a folder killed before the switch, and one killed after it, replaces
    # it whole and leaves nothing behind.
    for out, step in (jobs[switched - 1], jobs[-1]):
        out = Path(out)
        publish.run(builds["validated"], out)
        assert set(shown(out, builds).values()) <= {"new", "either"}, step
        assert len(list((out / publish.STATE / publish.BUILDS).iterdir())) == 1, step
        assert sorted(path.name for path in out.iterdir() if path.name.startswith(".")) == [publish.STATE], step
        assert sorted(path.name for path in (out / publish.STATE).iterdir()) == ["builds", "current", "lock"], step


def test_a_publish_that_fails_keeps_the_previous_build(builds, tmp_path):
    out = tmp_path / "out"
    linked(out, builds)
    validated = tmp_path / "validated"
    shutil.copytree(builds["validated"], validated)
    (validated / "rejects.parquet").write_bytes(b"not parquet")
    with pytest.raises(Exception):
        publish.run(validated, out)
    assert set(shown(out, builds).values()) <= {"old", "either"}
    assert len(list((out / publish.STATE / publish.BUILDS).iterdir())) == 1
