from __future__ import annotations

import logging
import math
import re
import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

from workshop import logs
from workshop.views import healthz

request_logger = logging.getLogger("workshop.request")
clock = time.monotonic  # the rate limits' clock; tests move it on
# A request id from the proxy is kept if it looks like one, else we make our own.
REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestLogMiddleware:
    """One log line per request: id, view, status, duration, query count, member, workshop.

    No personal data: the path without its query string (searches hold names and
    phones), ids instead of names. First in MIDDLEWARE, so it times everything.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        rid = incoming if REQUEST_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = rid
        token = logs.request_id.set(rid)
        queries = 0

        def count(execute, sql, params, many, context):
            nonlocal queries
            queries += 1
            return execute(sql, params, many, context)

        started = time.perf_counter()
        try:
            with connection.execute_wrapper(count):
                response = self.get_response(request)
            response["X-Request-ID"] = rid
            self._log(request, response.status_code, started, queries)
            return response
        finally:
            logs.request_id.reset(token)

    @staticmethod
    def _log(request: HttpRequest, status: int, started: float, queries: int) -> None:
        duration_ms = round((time.perf_counter() - started) * 1000, 1)
        membership = getattr(request, "membership", None)
        match = getattr(request, "resolver_match", None)
        fields = {
            "method": request.method,
            "path": request.path,
            "view": match.view_name if match else "",
            "status": status,
            "duration_ms": duration_ms,
            "queries": queries,
            "member_id": membership.pk if membership else None,
            "workshop_id": membership.workshop_id if membership else None,
        }
        request_logger.info(
            "%s %s %s %sms q=%s member=%s workshop=%s",
            request.method,
            request.path,
            status,
            duration_ms,
            queries,
            fields["member_id"],
            fields["workshop_id"],
            extra={"fields": fields},
        )


class HealthCheckMiddleware:
    """Answer /healthz before host validation and the HTTPS redirect.

    Load balancers and Docker probe the container by its internal address over
    plain HTTP, which ALLOWED_HOSTS and SECURE_SSL_REDIRECT would refuse.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path == "/healthz":
            return healthz(request)
        return self.get_response(request)


class BodySizeLimitMiddleware:
    """Refuse a body over DATA_UPLOAD_MAX_MEMORY_SIZE with a page that says so, unread.

    Django itself refuses such a form when a view reads request.POST, but with a bare
    400 page and only after the CSRF check has read the body. The status stays 400, as
    Django's (and the documents' test of a 5 MB template) have it; the page explains.
    A body without a length (chunked) is still caught by Django's own limit.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and length > limit:
            body = render_to_string("400_too_large.html", {"limit_kb": limit // 1024})
            return HttpResponse(body, status=400)
        return self.get_response(request)


class RateLimitMiddleware:
    """Per member token buckets on the expensive endpoints (settings.RATE_LIMITS).

    Each group has a burst and a steady rate; a view name with "?param" counts only
    requests that carry the parameter (the Work page is cheap, its search is not).
    Buckets live in the default cache: per worker process, so with N workers a member
    gets at most N times the rate. That bounds abuse without a database write per
    keystroke. After the tenant middleware, which sets request.membership.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.groups: dict[str, list[tuple[str, dict]]] = {}
        for group, rule in settings.RATE_LIMITS.items():
            for view in rule["views"]:
                name, _sep, param = view.partition("?")
                self.groups.setdefault(name, []).append((param, {**rule, "group": group}))

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs) -> HttpResponse | None:
        membership = getattr(request, "membership", None)
        match = request.resolver_match
        if membership is None or match is None or match.view_name not in self.groups:
            return None
        for param, rule in self.groups[match.view_name]:
            if param and not request.GET.get(param):
                continue
            wait = self._take(f"ratelimit:{rule['group']}:{membership.pk}", rule)
            if wait:
                seconds = math.ceil(wait)
                response = HttpResponse(
                    _("Too many requests. Try again in %(seconds)s s.") % {"seconds": seconds},
                    status=429,
                    content_type="text/plain; charset=utf-8",
                )
                response["Retry-After"] = str(seconds)
                return response
        return None

    @staticmethod
    def _take(key: str, rule: dict) -> float:
        """Take a token; return 0, or the seconds until one is there."""
        now = clock()
        rate = rule["per_minute"] / 60
        tokens, last = cache.get(key, (float(rule["burst"]), now))
        tokens = min(float(rule["burst"]), tokens + (now - last) * rate)
        if tokens < 1:
            cache.set(key, (tokens, now), 3600)
            return (1 - tokens) / rate
        cache.set(key, (tokens - 1, now), 3600)
        return 0


class HtmxVaryMiddleware:
    """Views answer htmx with a fragment and others with the page, so caches must key on it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        patch_vary_headers(response, ["HX-Request"])
        return response
