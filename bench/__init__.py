"""Owlistic benchmarks: ``python -m bench [--quick | --full] [--mode ...] [--scenario ...]``.

The server runs as a separate ``python -m owlistic serve`` process; this package seeds it,
drives load from its own process and writes ``bench/results/<timestamp>.json`` and
``docs/benchmarks.md``.
"""
