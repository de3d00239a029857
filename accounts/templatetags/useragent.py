from __future__ import annotations

from django import template

from accounts.useragent import describe

register = template.Library()


@register.filter
def browser_os(user_agent: str) -> str:
    """The sign-in log's 'Browser' column: browser and OS, not the raw header."""
    return describe(user_agent)
