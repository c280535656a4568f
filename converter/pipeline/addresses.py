"""The addresses in an env value, a command or an argument (issue 19, item 6): each host (and port) a client
would ask a resolver for. converter.pipeline.calls matches them against the input's Services. Pure: no I/O.
"""

from __future__ import annotations

import re
from typing import Iterator

_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
# [scheme://][user[:password]@]host[:port]: the host is what a resolver would be asked.
# The userinfo part is bounded (possessive, at most 256 characters each): unbounded, every start position in a
# long value without "@" (a 50 KB blob of letters) scanned to its end and back, which made a large env value cost
# quadratic time. RFC 3986 sets no bound; no real user name or password in a service URL comes near it. A value
# without "@" is searched without the userinfo part at all, and one without ":" can hold no scheme or port.
_SCHEME = r"(?:(?P<scheme>[a-z][a-z0-9+.-]{0,31}+)://)?"
_HOST_PORT = rf"(?P<host>{_LABEL}(?:\.{_LABEL})*)\.?(?::(?P<port>\d{{1,5}}))?(?![a-z0-9.-])"
_ADDRESS = re.compile(_SCHEME + r"(?:[^@/\s:]{1,256}+(?::[^@/\s]{0,256}+)?@)?" + _HOST_PORT, re.IGNORECASE)
_ADDRESS_NO_USER = re.compile(_SCHEME + _HOST_PORT, re.IGNORECASE)
# The port a client uses when a URL names none (IANA registrations of each scheme).
_SCHEME_PORTS = {"http": 80, "ws": 80, "https": 443, "wss": 443, "redis": 6379, "postgres": 5432,
                 "postgresql": 5432, "mysql": 3306, "mongodb": 27017, "amqp": 5672, "nats": 4222,
                 "memcached": 11211}
# A bare value (no scheme, no port) counts as a call only in a variable whose name says it holds an address.
ADDRESS_WORDS = re.compile(r"HOST|ADDR|URL|URI|ENDPOINT|SERVER|SERVICE|SVC|DSN|BROKER|UPSTREAM|BACKEND|"
                            r"NODES|PEERS|SEEDS|CONNECT|TARGET|REMOTE", re.IGNORECASE)


def names_address(name: str) -> bool:
    """Whether a variable's (or option's) name says it holds an address: ADDRESS_WORDS, each name searched
    once a run (every workload's env is read twice, and the same names recur in every workload)."""
    known = _NAMES_ADDRESS.get(name)
    if known is None:
        if len(_NAMES_ADDRESS) >= _KEPT:
            _NAMES_ADDRESS.clear()
        known = _NAMES_ADDRESS[name] = ADDRESS_WORDS.search(name) is not None
    return known


def addresses(value: str, bare_ok: bool) -> tuple[tuple[str, int | None], ...]:
    """(host, port) of each address in ``value``: with a scheme or a port anywhere, or a whole bare value
    (or comma-separated list) when ``bare_ok``. A short value's answer is kept: each value is read twice
    (rewrite_unserved_names, then find_sites), and values repeat across a run's workloads."""
    if len(value) > _KEPT_VALUE_CHARS:
        return tuple(scan_addresses(value, bare_ok))
    key = (value, bare_ok)
    found = _ADDRESSES.get(key)
    if found is None:
        if len(_ADDRESSES) >= _KEPT:
            _ADDRESSES.clear()
        found = _ADDRESSES[key] = tuple(scan_addresses(value, bare_ok))
    return found


_NAMES_ADDRESS: dict[str, bool] = {}
_ADDRESSES: dict[tuple[str, bool], tuple[tuple[str, int | None], ...]] = {}
# Entries of each cache; cleared when full, so that what recurs now is found. A value's two reads are in one
# workload's rendering: more entries kept only values that do not recur, to the end of the run (issue 24).
_KEPT = 1000
_KEPT_VALUE_CHARS = 512


def scan_addresses(value: str, bare_ok: bool) -> Iterator[tuple[str, int | None]]:
    whole = [part.strip() for part in value.split(",")]
    if ":" not in value:  # no scheme and no port: only a whole bare value (or list item) can be an address
        if bare_ok:
            for part in whole:
                match = _ADDRESS_NO_USER.fullmatch(part)
                if match is not None:
                    yield match["host"], None
        return
    for match in (_ADDRESS if "@" in value else _ADDRESS_NO_USER).finditer(value):
        scheme, host, port = match["scheme"], match["host"], match["port"]
        if scheme is None and port is None and not (bare_ok and match[0] in whole):
            continue
        if match.start() > 0 and value[match.start() - 1] in "/@.":
            continue  # a path segment or a domain's tail, not a host
        number = int(port) if port is not None else _SCHEME_PORTS.get((scheme or "").lower())
        if number is not None and not 0 < number < 65536:
            continue
        yield host, number
