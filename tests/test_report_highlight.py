"""An article's text as HTML with its quotes marked: escaped, lossless, every quote anchored."""
from __future__ import annotations

import html
import re

import pytest

from etl.report.highlight import Quote, highlighted

TEXT = "Officers stopped a van on Mill Road <b>at 9pm</b> & a man was Tasered."


def _at(words: str, anchor: str, label: str) -> Quote:
    """The quote of `words` where they stand in TEXT."""
    start = TEXT.index(words)
    return Quote(start, start + len(words), anchor, label)


def _visible(markup: str) -> str:
    """What a reader sees: the tags dropped and the entities read."""
    return html.unescape(re.sub(r"<[^>]+>", "", markup))


def test_the_text_reads_the_same_with_its_quotes_marked():
    quotes = [_at("Mill Road", "q1", "location: Mill Road"), _at("was Tasered", "q2", "force_type: taser")]
    markup = str(highlighted(TEXT, quotes, "story"))
    assert _visible(markup) == TEXT
    assert '<span class="anchor" id="q1"></span><mark title="location: Mill Road">Mill Road</mark>' in markup
    assert '<mark title="force_type: taser">was Tasered</mark>' in markup


def test_markup_in_the_text_is_escaped_never_passed_through():
    markup = str(highlighted(TEXT, [_at("<b>at 9pm</b>", "q1", "incident_time: <21:00>")], "story"))
    assert "<b>" not in markup
    assert '<mark title="incident_time: &lt;21:00&gt;">&lt;b&gt;at 9pm&lt;/b&gt;</mark>' in markup
    assert "&amp; a man" in markup


def test_overlapping_quotes_split_into_stretches_titled_with_every_quote_over_them():
    quotes = [_at("Officers stopped", "q1", "force: A"), _at("stopped a van on ", "q2", "outcome: B")]
    markup = str(highlighted(TEXT, quotes, "story"))
    assert _visible(markup) == TEXT
    assert '<mark title="force: A">Officers </mark>' in markup
    assert '<mark title="force: A; outcome: B">stopped</mark>' in markup
    assert '<mark title="outcome: B"> a van on </mark>' in markup
    assert markup.index('id="q1"') < markup.index('id="q2"')


def test_two_fields_read_from_one_quote_share_a_mark_and_keep_both_anchors():
    quotes = [_at("Mill Road", "q1", "borough: X"), _at("Mill Road", "q2", "borough_code: Y")]
    markup = str(highlighted(TEXT, quotes, "story"))
    assert markup.count("<mark") == 1 and 'title="borough: X; borough_code: Y"' in markup
    assert 'id="q1"' in markup and 'id="q2"' in markup


def test_a_quote_outside_the_text_is_an_error_naming_the_article_and_the_field():
    with pytest.raises(ValueError, match=r"story: the quote of outcome: fatal at \[60, 71\) is outside its text of 70 characters"):
        highlighted(TEXT, [Quote(60, len(TEXT) + 1, "q1", "outcome: fatal")], "story")


def test_an_empty_quote_at_the_end_still_has_its_anchor():
    markup = str(highlighted("abc", [Quote(3, 3, "q1", "x: y")], "story"))
    assert markup == 'abc<span class="anchor" id="q1"></span>'
