"""The report in a real browser: headless Chromium (the Debian package `chromium`) dumps a page's
DOM after it is rendered, or takes a screenshot of it.

    python -m etl.report.browser SITE OUT_DIR    screenshots of SITE's front page and its
                                                 first incident page (docs/img/ in the README)
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

BROWSERS = ("chromium", "chromium-browser")  # the Debian package's command, and its older name
SECONDS = 120        # a page of the report renders in a few seconds; a hung browser is an error
WINDOW = (1280, 2000)  # px: a desktop window, tall enough to show a page's first sections


class BrowserMissing(RuntimeError):
    """No Chromium on this machine."""


def chromium() -> str:
    """The Chromium command on PATH."""
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    raise BrowserMissing("no chromium on PATH: install the Debian package (apt-get install chromium)")


def dump_dom(page: Path) -> str:
    """The page's DOM, serialised after the browser has loaded and rendered it."""
    return _run(["--dump-dom", Path(page).resolve().as_uri()]).stdout


def screenshot(page: Path, png: Path, window: tuple[int, int] = WINDOW) -> Path:
    """A PNG of the page as a browser window of `window` pixels shows it, written atomically."""
    png = Path(png)
    png.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(prefix=f".{png.name}.", suffix=".png", dir=png.parent)
    os.close(handle)
    try:
        _run([f"--window-size={window[0]},{window[1]}", f"--screenshot={tmp}", Path(page).resolve().as_uri()])
        if os.path.getsize(tmp) == 0:
            raise RuntimeError(f"chromium wrote no screenshot of {page}")
        os.chmod(tmp, 0o644)  # mkstemp makes it private; a screenshot is for everyone to read
        os.replace(tmp, png)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return png


def _run(arguments: list[str]) -> subprocess.CompletedProcess:
    """Chromium headless, in a fresh profile, with no network beyond the file:// page it is given."""
    with tempfile.TemporaryDirectory(prefix="uofdb-chromium-") as profile:
        command = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                   "--no-first-run", "--disable-extensions", "--disable-background-networking",
                   f"--user-data-dir={profile}", *arguments]
        # --no-sandbox: the sandbox needs user namespaces, which containers (and root in CI) lack.
        done = subprocess.run(command, capture_output=True, text=True, timeout=SECONDS)
    if done.returncode != 0:
        raise RuntimeError(f"chromium exited with {done.returncode}: {done.stderr.strip()[-2000:]}")
    return done


def main(argv: list[str]) -> int:
    """Screenshots of a written site: its front page and its first incident page."""
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    site, out = Path(argv[0]), Path(argv[1])
    pages = sorted((site / "incidents").glob("*.html"))
    if not (site / "index.html").exists() or not pages:
        print(f"{site}: not a report with incident pages (write one with uofdb report --out {site})", file=sys.stderr)
        return 2
    print(screenshot(site / "index.html", out / "report-front.png"))
    print(screenshot(pages[0], out / "report-incident.png"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
