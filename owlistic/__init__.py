"""Owlistic: a self-hosted, real-time notes and to-do server."""

__version__ = "0.1.0"
