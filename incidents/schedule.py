from . import conf

BEAT_SCHEDULE = {
    "incidents.sweep-deadlines": {
        "task": "incidents.tasks.sweep_deadlines",
        "schedule": conf.sweep_seconds(),
        # A sweep that could not start within its minute is superseded by the next one.
        "options": {"expires": max(conf.sweep_seconds() - 1, 1)},
    },
}
