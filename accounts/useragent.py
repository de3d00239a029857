"""Browser and OS from a User-Agent header, for the sign-in log: a few patterns for the
browsers people sign in with, not a full parser (an unknown agent shows its first word)."""

from __future__ import annotations

import re

# Order matters: Edge, Opera, Yandex and Samsung also say "Chrome", Chrome says "Safari".
_BROWSERS = (
    ("Edge", r"Edg(?:e|A|iOS)?/(\d+)"),
    ("Opera", r"(?:OPR|Opera)/(\d+)"),
    ("Yandex Browser", r"YaBrowser/(\d+)"),
    ("Samsung Internet", r"SamsungBrowser/(\d+)"),
    ("Firefox", r"(?:Firefox|FxiOS)/(\d+)"),
    ("Chrome", r"(?:Chrome|CriOS)/(\d+)"),
    ("Safari", r"Version/(\d+)[.\d]* (?:Mobile/\S+ )?Safari/"),
)
_OSES = (
    ("Android", r"Android (\d+(?:\.\d+)?)"),
    ("iPadOS", r"iPad; CPU OS (\d+)(?:_(\d+))?"),
    ("iOS", r"iPhone OS (\d+)(?:_(\d+))?"),
    ("ChromeOS", r"CrOS"),
    ("Windows", r"Windows NT"),
    ("macOS", r"Mac OS X"),
    ("Linux", r"Linux|X11"),
)


def describe(user_agent: str) -> str:
    """'Chrome 120 · Windows', 'Safari 17 · iOS 17.1'; '' for an empty agent."""
    ua = (user_agent or "").strip()
    if not ua:
        return ""
    browser = next(
        (f"{name} {m.group(1)}" for name, rx in _BROWSERS if (m := re.search(rx, ua))), ""
    )
    system = ""
    for name, rx in _OSES:
        m = re.search(rx, ua)
        if m:
            version = ".".join(g for g in m.groups() if g) if m.groups() else ""
            system = f"{name} {version}".strip()
            break
    if not browser and not system:
        return ua.split()[0][:60]
    return " · ".join(p for p in (browser, system) if p)
