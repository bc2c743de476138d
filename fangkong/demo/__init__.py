"""The demo city: Ankang in the first days of March 2020, generated from a fixed seed.

``fangkong loaddemo`` runs the demo step every module declares (``FangkongModule.demo_step``,
e.g. ``"fangkong.demo.checkpoints"``), in INSTALLED_APPS order: it imports the step's
module and calls its ``load(ctx: fangkong.demo.context.DemoContext) -> str`` inside one
transaction. A step must be idempotent and deterministic.
"""
