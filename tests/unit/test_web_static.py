"""The built web app is served at ``/`` with SPA fallback and cache headers."""

import base64
import gzip
import hashlib
from pathlib import Path

import brotli
import httpx

from owlistic.app import create_app
from owlistic.settings import Settings
from owlistic.web.precompress import precompress


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
        assert missing.json()["error"] == "not found"


async def test_assets_are_served_precompressed_by_accept_encoding(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    script = b"export const words = [" + b",".join(b'"word%d"' % i for i in range(2000)) + b"];"
    (dist / "assets" / "app-9f.js").write_bytes(script)
    (dist / "index.html").write_text('<div id="app"></div>')
    plain, gz, br = precompress(dist)
    assert plain == len(script)
    assert 0 < br < gz < plain / 3
    app = create_app(Settings(data_dir=tmp_path / "data", web_dist=dist))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        for accept, encoding, decode in (
            ("gzip, deflate, br", "br", brotli.decompress),
            ("gzip", "gzip", gzip.decompress),
        ):
            async with c.stream(
                "GET", "/assets/app-9f.js", headers={"Accept-Encoding": accept}
            ) as r:
                assert r.headers["content-encoding"] == encoding
                assert r.headers["content-type"].startswith("text/javascript")
                assert "Accept-Encoding" in r.headers["vary"]
                assert decode(b"".join([b async for b in r.aiter_raw()])) == script
        identity = await c.get("/assets/app-9f.js", headers={"Accept-Encoding": "identity"})
        assert "content-encoding" not in identity.headers
        assert identity.content == script


async def test_inline_script_of_index_is_allowed_by_its_hash_only(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    dist.mkdir()
    inline = "document.documentElement.dataset.theme = 'dark';"
    (dist / "index.html").write_text(f"<head><script>{inline}</script></head>")
    digest = base64.b64encode(hashlib.sha256(inline.encode()).digest()).decode()
    app = create_app(Settings(data_dir=tmp_path / "data", web_dist=dist))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        csp = (await c.get("/")).headers["content-security-policy"]
    scripts = csp.split("script-src ", 1)[1].split(";", 1)[0]
    assert scripts == f"'self' 'sha256-{digest}'"
