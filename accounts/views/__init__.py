"""The accounts screens, one module per screen (accounts/urls.py names them).

`home` is re-exported because the project's URLconf mounts it at the site root.
"""

from accounts.views.auth import home

__all__ = ["home"]
