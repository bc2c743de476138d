"""Pages of daily reporting: ``entry`` (fill in, review), ``config`` (HQ), ``overview``."""
