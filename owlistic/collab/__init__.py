"""Co-editing: one Yjs document per note (y-websocket protocol); blocks are its projection."""
