from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SuppliesConfig(AppConfig):
    """Everything carried to a door: parcels through the gate, group buys, distributions, donations."""

    name = "supplies"
    verbose_name = _("Supplies")

    def ready(self):
        from volunteers import task_list

        from . import distributions, waves

        task_list.finished_by_its_app(waves.KIND)  # a run is done when its parcels are handed over
        task_list.finished_by_its_app(distributions.KIND)  # and a building's shares when delivered
