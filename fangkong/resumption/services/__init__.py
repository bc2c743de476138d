"""The rules of work resumption: ``filing`` (registry, filing, review, status),
``workers`` (employees, migrant workers, demand, transport batches), ``passes``."""

from fangkong.resumption.services import filing, passes, workers

__all__ = ["filing", "passes", "workers"]
