"""HTML → PDF with WeasyPrint, which may read nothing but our static files and data: images.

The fetcher never opens a connection or a file outside the static roots: no
``file:``, no ``http(s):``, hence no redirects either. Our own stylesheets are linked
as ``/static/...``; the page's base URL is a made-up origin (STATIC_ORIGIN) that the
fetcher maps onto the static folders the web process passes in.
"""

from __future__ import annotations

import base64
import mimetypes
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

STATIC_ORIGIN = "https://documents.invalid"
_DATA_URL = re.compile(
    r"data:(?P<mime>[a-z]+/[a-z0-9.+-]+)?(?P<params>(;[^,;]+)*?)(?P<b64>;base64)?,(?P<data>.*)",
    re.IGNORECASE | re.DOTALL,
)
_DATA_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp", "image/svg+xml"})
MAX_RESOURCE_BYTES = 5_000_000


class RefusedURL(ValueError):
    pass


def _fetcher_class():
    from weasyprint import URLFetcher
    from weasyprint.urls import URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        """Serve data: images and files under the static roots; refuse everything else."""

        def __init__(self, static_roots: list[str], refused: list[str]) -> None:
            super().__init__(allow_redirects=False, allowed_protocols={"data", "https"})
            self.roots = [Path(r).resolve() for r in static_roots]
            self.refused = refused

        def fetch(self, url, headers=None):
            try:
                return self._fetch(url)
            except RefusedURL:
                self.refused.append(url[:200])
                raise

        def _fetch(self, url: str):
            if url.startswith("data:"):
                match = _DATA_URL.match(url)
                mime = (match and (match["mime"] or "").lower()) or ""
                if not match or mime not in _DATA_TYPES:
                    raise RefusedURL(url)
                raw = unquote(match["data"])
                body = base64.b64decode(raw) if match["b64"] else raw.encode()
                return URLFetcherResponse(url, body, {"Content-Type": mime})
            parts = urlsplit(url)
            if f"{parts.scheme}://{parts.netloc}" != STATIC_ORIGIN or not parts.path.startswith(
                "/static/"
            ):
                raise RefusedURL(url)
            relative = unquote(parts.path.removeprefix("/static/"))
            for root in self.roots:
                path = (root / relative).resolve()
                if path.is_relative_to(root) and path.is_file():
                    if path.stat().st_size > MAX_RESOURCE_BYTES:
                        raise RefusedURL(url)
                    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                    return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime})
            raise RefusedURL(url)

        def open(self, url, data=None, timeout=None):
            target = url.full_url if hasattr(url, "full_url") else url
            return self.fetch(target)

    return StaticOnlyFetcher


def html_to_pdf(page_html: str, static_roots: list[str]) -> tuple[bytes, list[str]]:
    """The PDF of a whole page, and the URLs it asked for and was refused."""
    from weasyprint import HTML

    refused: list[str] = []
    fetcher = _fetcher_class()(static_roots, refused)
    document = HTML(string=page_html, base_url=STATIC_ORIGIN + "/", url_fetcher=fetcher)
    return document.write_pdf(presentational_hints=False), refused
