"""The search index's rows (``search_docs``), from the notes, blocks and tasks: what both the
migration that builds the index and the in-transaction indexer write."""
