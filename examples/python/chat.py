"""Strata as a drop-in for the OpenAI API from Python: the official `openai` package, only its base URL changed.

The same question twice: the first call is answered by the LLM (MISS) and stored, the second from the cache (HIT).

    pip install openai
    STRATA_URL=http://127.0.0.1:8080 OPENAI_API_KEY=sk-... python chat.py

OPENAI_API_KEY is passed through to the upstream (UPSTREAM_URL) unless Strata has a key of its own for it
(UPSTREAM_API_KEY). With STRATA_API_KEYS set on the server, send the Strata key as STRATA_KEY too.
"""

import os
import time

from openai import OpenAI

strata_url = os.environ.get("STRATA_URL", "http://127.0.0.1:8080")
headers = {
    # What the answer depends on: `strata purge --tag doc:sizing-guide` (or a data-change event) removes it.
    "X-Strata-Tags": "doc:sizing-guide",
}
if os.environ.get("STRATA_KEY"):
    headers["X-Strata-Key"] = os.environ["STRATA_KEY"]

client = OpenAI(
    base_url=f"{strata_url}/v1",
    api_key=os.environ.get("OPENAI_API_KEY", "no-key"),
    default_headers=headers,
)

request = {
    "model": os.environ.get("MODEL", "gpt-4o-mini"),
    # Only deterministic requests are cached by default.
    "temperature": 0,
    "messages": [
        {"role": "system", "content": "You are the support bot of a shoe shop."},
        {"role": "user", "content": "Do your sneakers run small?"},
    ],
}

for attempt in ("first", "second"):
    started = time.perf_counter()
    raw = client.chat.completions.with_raw_response.create(**request)
    completion = raw.parse()
    ms = (time.perf_counter() - started) * 1000
    cache = raw.headers.get("x-strata-cache")
    tier = raw.headers.get("x-strata-tier")
    shown_tier = f" ({tier})" if tier else ""
    print(f"{attempt} call: {cache}{shown_tier} in {ms:.1f} ms: {completion.choices[0].message.content}")
    # The proxy stores a miss's answer in the background: give it a moment before asking again.
    if cache == "MISS":
        time.sleep(0.5)
