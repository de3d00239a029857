from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WarehouseConfig(AppConfig):
    name = "warehouse"
    verbose_name = _("Warehouse")

    def ready(self) -> None:
        # Orders never imports the warehouse: it plugs into the order card, the move to
        # "issued" and (once orders offers them) the line and status hooks from here.
        from warehouse import integrations

        integrations.register()
