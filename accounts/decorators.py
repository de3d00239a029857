"""Preconditions for views, stacked as decorators."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from accounts.permissions import role_can


def requires(permission: str):
    """Let a signed-in member whose role has `permission` through; 403 for other roles."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated or request.membership is None:
                return redirect_to_login(request.get_full_path())
            if not role_can(request.membership.role, permission):
                raise PermissionDenied(permission)
            return view(request, *args, **kwargs)

        wrapper.required_permission = permission
        return wrapper

    return decorator
