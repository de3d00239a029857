from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = _("Documents")

    def ready(self) -> None:
        from documents import card

        card.register()
        try:
            from orders.journal import register_action
        except ImportError:  # orders without an open journal: printing is not journaled
            return
        register_action("documents.printed", _("printed"))
