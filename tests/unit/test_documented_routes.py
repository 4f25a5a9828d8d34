"""The path templates and methods the middleware reads from the routes are the schema's."""

from pathlib import Path

from owlistic.app import create_app
from owlistic.kit.http import documented_routes
from owlistic.settings import Settings


def test_documented_routes_are_the_openapi_paths(tmp_path: Path) -> None:
    app = create_app(Settings(data_dir=tmp_path))
    schema = {
        path: frozenset(m.upper() for m in ops if m != "parameters")
        for path, ops in app.openapi()["paths"].items()
    }
    found = documented_routes(app.routes)
    assert list(found) == list(schema)
    assert found == schema
