"""What crawl workers and the store share in Redis: the keys, the two streams, the per-host gate, the codec.

Redis streams, each read through a consumer group, carry the work (at least once):
- `vigil:requests:<host>`, one stream per host, listed in the set `vigil:hosts`: what to
  fetch, pushed by `vigil run --redis` (the store), read by the `vigil worker` processes
  (group `workers`). One stream per host, so that a worker reads one request of each host
  at a time (one XREADGROUP over the streams of the hosts it has room for) and a big
  source cannot fill a worker with requests that must wait for its delay while other
  hosts starve. A worker that reads an entry owns it until
  it has pushed what came of it; then, in one MULTI, its item is added to `vigil:items`
  and the request entry acknowledged and deleted. A worker killed before that leaves the
  entry pending, and another worker claims it (XAUTOCLAIM) once it has been idle for the
  claim time; a living worker keeps its entries fresh (XCLAIM to itself) meanwhile.
- `vigil:items`: fetched pages, extracted, and failures, read by the store (group `store`,
  one consumer). An item is acknowledged and deleted only after its transaction is
  committed; a store restarted after a crash reads its pending items again first.
Nothing else lives in Redis: no config, no secret, no watchlist. Requests carry a URL and
what the frontier knows of the page (validators, hashes); items carry the extracted text
and, only when the text is new or changed (it may be kept as evidence), the raw body.

Politeness across machines: before a request goes out, the worker takes the host's gate,
`vigil:host:<hostname>`, with SET NX PX <delay> in a Lua script that answers the time
left when another worker holds it. The key is set right before the send, on Redis's
clock, so two requests to one host start at least `delay` apart whichever workers send
them; a worker that dies holding the gate frees it when it expires. A Redis restarted
without its data forgets the gates: the script sees the store's epoch change, and each
worker then waits a whole delay before it takes a gate again, which is after any request
sent before the loss. We chose this over a
stored next-allowed time because it needs no clock agreement between machines and no
cleanup: the key is its own expiry.
"""
from __future__ import annotations

import base64
import dataclasses
import json

from crawler.text.extract import Extraction
from crawler.text.hubs import Teaser
from storage.compression import compress, decompress

REQUESTS = "vigil:requests:{}"   # one stream per host
HOSTS = "vigil:hosts"            # set: the hosts that have a stream of requests
ITEMS = "vigil:items"
WORKERS = "vigil:workers"        # hash: worker name -> its heartbeat (JSON)
EPOCH = "vigil:epoch"            # set by the store; gone means Redis lost its data
WORKER_GROUP = "workers"
STORE_GROUP = "store"
STORE_CONSUMER = "store"
HOST_GATE = "vigil:host:{}"

# KEYS[1] the host's gate, KEYS[2] the epoch; ARGV[1] who takes it, ARGV[2] milliseconds, ARGV[3] the
# epoch the caller knows. 0 when taken, else ms left; -1 when the epoch changed: Redis lost its data,
# gates included, and the caller must wait a whole delay before it may trust the gates again.
GATE_SCRIPT = """
if (redis.call('GET', KEYS[2]) or '') ~= ARGV[3] then return -1 end
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 0 end
local left = redis.call('PTTL', KEYS[1])
if left < 1 then return 1 end
return left
"""


def connect(url: str):
    """A Redis client for `url` (redis:// or rediss://); redis is imported only here, for the fleet."""
    import redis

    return redis.Redis.from_url(url, socket_timeout=10, socket_connect_timeout=5, health_check_interval=30)


def ensure_group(client, stream: str, group: str) -> None:
    """The stream and its consumer group, created when missing (a fresh or emptied Redis)."""
    import redis

    try:
        client.xgroup_create(stream, group, id="0", mkstream=True)
    except redis.ResponseError as exc:
        if "BUSYGROUP" not in str(exc):
            raise


def host_of(url: str) -> str:
    from urllib.parse import urlsplit

    return (urlsplit(url).hostname or "").lower()


def text(value) -> str:
    return value.decode() if isinstance(value, bytes) else value


def encode(payload: dict) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def decode(data: bytes) -> dict:
    return json.loads(data)


def pack_bytes(data: bytes | None) -> str | None:
    """Bytes as text for JSON: compressed (storage/compression.py), then base64."""
    return None if data is None else base64.b64encode(compress(data)).decode("ascii")


def unpack_bytes(text: str | None) -> bytes | None:
    return None if text is None else decompress(base64.b64decode(text))


def pack_extraction(extraction: Extraction) -> dict:
    """An extraction as JSON can hold it: every field, so that a field added to Extraction (a PDF's
    page starts, a hint to render) crosses from worker to store without a word here."""
    data = {field.name: getattr(extraction, field.name) for field in dataclasses.fields(extraction)}
    data["teasers"] = [[teaser.url, teaser.text] for teaser in extraction.teasers]
    data["page_starts"] = list(extraction.page_starts)
    return data


def unpack_extraction(data: dict) -> Extraction:
    values = {field.name: data[field.name] for field in dataclasses.fields(Extraction) if field.name in data}
    values["teasers"] = tuple(Teaser(url, text) for url, text in data.get("teasers", ()))
    values["page_starts"] = tuple(data.get("page_starts", ()))
    return Extraction(**values)


def redacted(url: str) -> str:
    """The Redis URL without its password, for logs and status."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = f"{parts.username or ''}:***@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))
