"""The one transport to the web: a ``fetch(url, params) -> bytes`` callable, injected everywhere.

``capacity data update`` reads Eurostat and CBS through a :data:`Fetch`; the command line
passes :func:`http_fetch`, the tests a replay of recorded responses, so no test goes online.
A source that cannot be reached (no network, no name resolution, refused, timed out) raises
:class:`Unreachable`; one that answers with something else than what was asked raises
:class:`FetchError`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from urllib.parse import quote, urlencode

from capacity.errors import CapacityError

#: A transport: ``fetch(url, params)`` returns the body of a GET of :func:`request_url`.
Fetch = Callable[[str, Mapping[str, str] | None], bytes]

#: Seconds to wait for a source to answer (Eurostat can take a while on a cold cache).
TIMEOUT_S = 60.0


class Unreachable(CapacityError, ConnectionError):
    """A source could not be reached: no network, no name resolution, refused or timed out."""


class FetchError(CapacityError):
    """A source answered, but not with what was asked (an HTTP error, or a changed or malformed response)."""


def request_url(url: str, params: Mapping[str, str] | None = None) -> str:
    """Return the full URL of a GET: ``url`` and its query (``$``, ``'``, ``(``, ``)`` and ``,`` unescaped)."""
    if not params:
        return url
    return url + "?" + urlencode(dict(params), quote_via=quote, safe="$'(),")


def http_fetch(url: str, params: Mapping[str, str] | None = None) -> bytes:
    """GET :func:`request_url` of ``url`` and ``params`` over HTTPS; return the body.

    Raises:
        Unreachable: If the host cannot be reached or does not answer in :data:`TIMEOUT_S`.
        FetchError: If it answers with an HTTP error.

    """
    import requests

    from capacity import __version__

    full = request_url(url, params)
    try:
        response = requests.get(full, timeout=TIMEOUT_S, headers={"User-Agent": f"capacity/{__version__}"})
    except (requests.ConnectionError, requests.Timeout) as exc:
        raise Unreachable(f"{full}: {type(exc).__name__}") from None
    if response.status_code != 200:
        raise FetchError(f"{full}: HTTP {response.status_code} {response.reason}")
    return response.content
