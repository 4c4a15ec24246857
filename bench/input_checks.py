"""What the edge's input checks (contacts.web.input_checks) cost, against Litestar's own parsing of the same body
measured in the same run: a signup form (urlencoded and multipart), a campaign's JSON, and an API subscription
of 10,000 contacts. The ratio is checking time ÷ parsing time; the checks read every body a second time, so
about 1 means they double the cost of reading a body (a few microseconds for a form).

    .venv/bin/python bench/input_checks.py [--repeat 2000]

Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
import urllib.parse

import msgspec
from litestar._multipart import parse_multipart_form
from litestar._parsers import (
    parse_url_encoded_form_data as cached_parse_url_encoded_form_data,
)

from contacts.web.api.schemas import CampaignIn, SubscribeIn
from contacts.web.input_checks import check_body

parse_url_encoded_form_data = cached_parse_url_encoded_form_data.__wrapped__  # Litestar caches it: parse each time

FORM = {"email": "lea.martin@example.org", "first_name": "Léa", "last_name": "Martin", "language": "fr",
        "lists": "public-newsletter"}
CAMPAIGN = {"lists": ["journalists"], "template": "newsletter-communications", "subject": "La lettre de mars",
            "body": "Bonjour,\n\nLe musée rouvre ses salles.\n\nÀ bientôt." * 20, "rate": 50}
SUBSCRIPTION = {"source_type": "given", "source_name": "Salon du livre", "contacts": [
    {"email": f"reader{i}@example.org", "first_name": "Zoé", "last_name": "Lefèvre", "organisation": "Télérama"}
    for i in range(10_000)]}


def multipart(fields: dict[str, str]) -> bytes:
    return b"".join(b'--XyZ\r\nContent-Disposition: form-data; name="' + name.encode() + b'"\r\n\r\n'
                    + value.encode() + b"\r\n" for name, value in fields.items()) + b"--XyZ--\r\n"


def best_of(work, repeat: int) -> float:
    """Seconds per call, the best of five rounds (the least disturbed by the machine's other work)."""
    rounds = []
    for _ in range(5):
        started = time.perf_counter()
        for _ in range(repeat):
            work()
        rounds.append((time.perf_counter() - started) / repeat)
    return min(rounds)


def parse_multipart(body: bytes) -> None:
    async def stream():
        yield body

    asyncio.run(parse_multipart_form(stream(), b"XyZ"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=2000)
    repeat = parser.parse_args().repeat
    form = urllib.parse.urlencode(FORM).encode()
    parts = multipart(FORM)
    urlencoded = {"headers": [(b"content-type", b"application/x-www-form-urlencoded")]}
    multipart_form = {"headers": [(b"content-type", b"multipart/form-data; boundary=XyZ")]}
    json_body = {"headers": [(b"content-type", b"application/json")]}
    campaign, subscription = json.dumps(CAMPAIGN).encode(), json.dumps(SUBSCRIPTION).encode()
    cases = [
        ("signup form, urlencoded", len(form), lambda: check_body(urlencoded, form),
         lambda: parse_url_encoded_form_data(form), repeat),
        ("signup form, multipart", len(parts), lambda: check_body(multipart_form, parts),
         lambda: parse_multipart(parts), repeat // 10),
        ("campaign JSON", len(campaign), lambda: check_body(json_body, campaign),
         lambda: msgspec.convert(msgspec.json.decode(campaign), CampaignIn), repeat),
        ("10,000 contacts JSON", len(subscription), lambda: check_body(json_body, subscription),
         lambda: msgspec.convert(msgspec.json.decode(subscription), SubscribeIn), max(1, repeat // 200)),
    ]
    print("ratio = checking ÷ Litestar's parsing of the same body")
    for name, size, check, parse, times in cases:
        checking, parsing = best_of(check, times), best_of(parse, times)
        print(f"  {name:<26} {size:>9,} bytes  check {checking * 1e6:>9,.1f} µs  parse {parsing * 1e6:>9,.1f} µs"
              f"  ratio {checking / parsing:.2f}")


if __name__ == "__main__":
    main()
