"""`uofdb report`: a static site from a published build, to read the dataset and audit it.

    report/index.html            headline counts, charts by year, force, nation and region,
                                 district, the latest incidents and the data quality
    report/incidents.html        every incident, linked to its page
    report/incidents/<id>.html   one incident: every field, its value, the quotes behind it
                                 highlighted in its articles' text, the values other articles gave
    report/data/<figure>.csv     the figures behind each chart and table
    report/style.css

Every figure comes from SQL over the published tables (`etl.report.queries`); charts are
Altair rendered to SVG offline (`etl.report.charts`), so the pages need no network and no
JavaScript; pages are Jinja2 templates with every value escaped (`etl.report.pages`), since
article text is hostile input. The site is written to a new folder beside `--out` and
swapped in whole (`etl.report.site`).
"""
from etl.report.site import run

__all__ = ["run"]
