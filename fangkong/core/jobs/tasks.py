"""The tasks the queue carries (``django_tasks``; ``django.tasks`` on Django 6). They take
only ids and names: what a job does is in its row (``core.jobs.services``)."""

from __future__ import annotations

from django_tasks import task

from fangkong.core.jobs import scheduler, services


@task()
def run_job(job_id: int, attempt: int) -> str:
    return services.run(job_id, attempt)


@task()
def run_scheduled(name: str, slot: str) -> str:
    return scheduler.run_slot(name, slot)
