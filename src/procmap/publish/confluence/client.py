"""Which API a Confluence site address and its credentials take."""

from __future__ import annotations

from procmap.publish.confluence.api import Api, CloudApi, DataCenterApi
from procmap.publish.confluence.http import ConfluenceError, Credentials, Http, shown

GATEWAY = "api.atlassian.com"  # scoped API tokens reach Cloud sites through it


def connect(url: str, user: str | None, token: str, flavour: str = "auto",
            **http: object) -> Api:
    """The API of the site at `url`. `flavour` auto means Cloud for
    *.atlassian.net and for the API gateway that scoped tokens go through
    (https://api.atlassian.com/ex/confluence/CLOUD_ID), Data Center otherwise.
    Cloud needs `user` (the account's email); Data Center takes a personal
    access token alone, or a user and password."""
    from urllib.parse import urlsplit

    given, url = url, url.rstrip("/")
    try:
        parts = urlsplit(url)
        scheme, host, _ = parts.scheme, parts.hostname or "", parts.port
        gateway = host == GATEWAY and parts.path.startswith("/ex/confluence/")
        extra = parts.query or parts.fragment or not url.isprintable()
    except ValueError:  # a bad port or IPv6 address
        scheme = host = ""
        gateway = False
    if scheme not in ("http", "https") or not host or extra:
        raise ConfluenceError(f"--url {shown(given)!r} is not the address of a site: give it as "
                              "https://SITE.atlassian.net/wiki or https://HOST/CONTEXT")
    cloud = flavour == "cloud" or (flavour == "auto" and (host.endswith(".atlassian.net")
                                                          or gateway))
    if cloud and not url.endswith("/wiki"):
        url += "/wiki"  # Confluence Cloud lives under /wiki; people often leave it off
    if cloud and not user:
        raise ConfluenceError("Confluence Cloud needs the account's email as the user: set "
                              "CONFLUENCE_USER or --user")
    client = Http(url, Credentials(user or None, token), **http)  # type: ignore[arg-type]
    return CloudApi(client) if cloud else DataCenterApi(client)
