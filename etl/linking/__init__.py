"""Linking helpers for stage 3 (`etl.link`): what an article says about its incident
(`features`), how alike two articles are (`similarity`), which articles to compare and
how they group (`clustering`), how a group's fields merge (`merge`) and which id a
group keeps (`ids`)."""
