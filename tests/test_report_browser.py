"""The report in headless Chromium: the pages render with their charts, and a screenshot shows them.

Chromium is the Debian package `chromium` (.ci/run installs it when it is missing). Without
it these tests fail, naming the package: a report nobody has seen rendered is not tested.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from PIL import Image

from etl.cli import main
from etl.report import browser

WHITE = (255, 255, 255)


@pytest.fixture(scope="module")
def site(sample_build, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("browser") / "report"
    assert main(["report", "--processed", str(sample_build), "--out", str(out)]) == 0
    return out


def test_chromium_is_installed():
    assert browser.chromium(), "install the Debian package chromium"


def test_the_front_page_renders_with_every_chart_as_svg(site):
    written = (site / "index.html").read_text()
    dom = browser.dump_dom(site / "index.html")
    charts = len(re.findall(r'<figure class="chart"', written))
    assert charts >= 5
    # Each chart is in the rendered DOM as an SVG with its bars and its labels as text.
    assert len(re.findall(r"<svg[^>]*class=\"marks\"", dom)) == charts
    assert dom.count("<path") > charts and "Metropolitan Police Service" in dom
    assert '<dd data-figure="incidents">2</dd>' in dom


def test_an_incident_page_renders_its_fields_and_marked_quotes(site):
    page = sorted((site / "incidents").glob("*.html"))[0]
    dom = browser.dump_dom(page)
    assert 'data-field="force_type"' in dom and "<mark" in dom
    assert dom.count('class="anchor"') == len(re.findall(r'<a class="quote', dom)) > 0


def test_a_screenshot_of_the_front_page_shows_it(site, tmp_path):
    png = browser.screenshot(site / "index.html", tmp_path / "front.png", (1000, 1400))
    with Image.open(png) as image:
        assert image.size == (1000, 1400)
        pixels = image.convert("RGB")
        colours = pixels.getcolors(maxcolors=1 << 16) or []
    # Not blank: many colours (text, bars in the palette), and a good part of the page drawn on.
    assert len(colours) > 50
    drawn = sum(count for count, colour in colours if colour != WHITE)
    assert drawn > 0.05 * 1000 * 1400
    palette = {tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5)) for colour in ("#4e79a7", "#f28e2b")}
    assert palette & {colour for _, colour in colours}  # the bars of the charts are drawn
