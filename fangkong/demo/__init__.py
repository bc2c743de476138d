"""The demo city: Ankang in the first days of March 2020, generated from a fixed seed.

``fangkong loaddemo`` imports each module listed in ``STEPS`` in order and calls its
``load(ctx: fangkong.demo.context.DemoContext) -> str`` inside one transaction. Each
module adds its records here as it lands; a step must be idempotent and deterministic.
"""

STEPS: list[str] = [
    "fangkong.demo.core",
    "fangkong.demo.checkpoints",
    "fangkong.demo.reports",
]
