"""Preconditions for views, stacked as decorators."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from accounts.permissions import known, role_can


def requires(permission: str, *, post: str | None = None):
    """Let a signed-in member whose role has `permission` through; 403 for other roles.

    `post` is a further permission a POST needs, for a page every role with `permission`
    may see but fewer may save. The names are checked here, when the module is imported,
    so a misspelt one fails at start-up, not on the first request. The view carries them
    as `required_permission` and `post_permission` for the permission sweep to read.
    """
    known(permission)
    if post is not None:
        known(post)

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated or request.membership is None:
                return redirect_to_login(request.get_full_path())
            role = request.membership.role
            if not role_can(role, permission):
                raise PermissionDenied(permission)
            if post is not None and request.method == "POST" and not role_can(role, post):
                raise PermissionDenied(post)
            return view(request, *args, **kwargs)

        wrapper.required_permission = permission
        wrapper.post_permission = post
        return wrapper

    return decorator
