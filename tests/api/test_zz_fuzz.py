import itertools
import httpx
from tests.api.helpers import API, notebook_with_note, block, task
from tests.conftest import Account

VALUES = [None, 0, -1, 1e308, "", "x"*5000, [], {}, [1], {"a": 1}, True, "00000000-0000-0000-0000-000000000000", "\u0000", "😀"]
FIELDS = ["name","description","title","notebook_id","note_id","block_id","type","content","metadata","order","is_completed","due_date","email","password","username","display_name","profile_pic","preferences","current_password","new_password","refresh_token","user_id","resource_id","resource_type","role","completed"]

async def test_fuzz(client: httpx.AsyncClient, owner: Account) -> None:
    nb, n = await notebook_with_note(client, owner)
    b = await block(client, owner, n["id"], "x")
    t = await task(client, owner, title="t", note_id=n["id"])
    routes = [("POST","/notebooks"),("PUT",f"/notebooks/{nb['id']}"),("POST","/notes"),("PUT",f"/notes/{n['id']}"),
              ("POST","/blocks"),("PUT",f"/blocks/{b['id']}"),("POST","/tasks"),("PUT",f"/tasks/{t['id']}"),
              ("PUT","/profile"),("POST","/roles"),("PUT",f"/notebooks/{nb['id']}/shares"),("POST","/refresh"),("POST","/login")
              ]
    bad = []
    for (m, p), f, v in itertools.product(routes, FIELDS, VALUES):
        if f in ("password","new_password","current_password") : continue
        r = await client.request(m, f"{API}{p}", json={f: v}, headers=owner.headers)
        if r.status_code >= 500:
            bad.append((m, p, f, repr(v)[:20], r.status_code, r.text[:200]))
    for q in [{"notebook_id": "00000000-0000-0000-0000-000000000000"}, {"title": "\u0000"}, {"name": "%_"}]:
        for p in ["/notes", "/notebooks", "/blocks", "/tasks", "/roles", "/users"]:
            r = await client.get(f"{API}{p}", params=q, headers=owner.headers)
            if r.status_code >= 500: bad.append((p, q, r.status_code, r.text[:200]))
    for x in bad: print(x)
    assert not bad
