"""The built web app is served at ``/`` with SPA fallback and cache headers."""

from pathlib import Path

import httpx

from owlistic.app import create_app
from owlistic.settings import Settings


def _client(tmp_path: Path) -> httpx.AsyncClient:
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text('<div id="app"></div>')
    (dist / "assets" / "app-1a2b.js").write_text("console.log(1)")
    (tmp_path / "secret.txt").write_text("not for you")
    app = create_app(Settings(data_dir=tmp_path / "data", web_dist=dist))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")


async def test_index_assets_and_spa_fallback(tmp_path: Path) -> None:
    async with _client(tmp_path) as c:
        index = await c.get("/")
        assert index.status_code == 200
        assert '<div id="app">' in index.text
        assert index.headers["cache-control"] == "no-cache"

        asset = await c.get("/assets/app-1a2b.js")
        assert asset.text == "console.log(1)"
        assert "immutable" in asset.headers["cache-control"]

        deep = await c.get("/notes/some-client-route")
        assert '<div id="app">' in deep.text

        assert (await c.head("/")).status_code == 200


async def test_never_serves_outside_dist_nor_hides_api_404s(tmp_path: Path) -> None:
    async with _client(tmp_path) as c:
        escaped = await c.get("/..%2Fsecret.txt")
        assert "not for you" not in escaped.text

        missing = await c.get("/api/v1/no-such-route")
        assert missing.status_code == 404
        assert missing.json() == {"error": "not found"}
