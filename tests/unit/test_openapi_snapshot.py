"""The web client's API types are generated from ``web/openapi.json``: it must be current."""

import json
from pathlib import Path

from owlistic.app import create_app
from owlistic.settings import Settings

SNAPSHOT = Path(__file__).resolve().parents[2] / "web" / "openapi.json"


def test_web_schema_snapshot_matches_the_server(tmp_path: Path) -> None:
    live = create_app(Settings(data_dir=tmp_path)).openapi()
    stored = json.loads(SNAPSHOT.read_text())
    assert stored == json.loads(json.dumps(live)), "run `make openapi` and commit the result"
