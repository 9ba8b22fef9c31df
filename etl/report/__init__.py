"""`uofdb report`: a static site from a published build, to read the dataset and audit it.

    report/index.html            headline counts, charts by year, force, nation and region,
                                 district, the latest incidents and the data quality
    report/incidents.html        every incident, linked to its page
    report/incidents/<id>.html   one incident: every field, its value, the quotes behind it
                                 highlighted in its articles' text, the values other articles gave
    report/data/<figure>.csv     the figures behind each chart and table
    report/style.css

Every figure comes from SQL over the published tables (`queries.py`); `figures.py` turns
the results into the front page's sections and `audit.py` into one view per incident, its
quotes highlighted in its articles' text by `highlight.py`. Charts are Altair rendered to
SVG offline (`charts.py`), so the pages need no network and no JavaScript; pages are Jinja2
templates (`templates/`) with every value escaped (`pages.py`), since article text is
hostile input. `site.py` runs it all and writes the site to a new folder beside `--out`,
swapped in whole; `browser.py` opens pages in headless Chromium (tests, screenshots).
"""
from etl.report.site import run

__all__ = ["run"]
