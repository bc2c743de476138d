"""Background jobs on Django's Tasks API (the ``django_tasks`` backport; ``django.tasks``
from Django 6): exports and imports off the request path with their progress, the
reaper of jobs whose worker died, and scheduled work. See ``services`` for the job's
life, ``scheduler`` for the scheduled slots, docs/decisions/jobs.md for the choice."""
