"""uofdb's pipeline: ingest -> extract -> link -> validate -> publish.

Each stage module has one `run()` that loads its inputs, calls pure helpers to
process them, and saves its outputs; paths always come from the caller.
"""
