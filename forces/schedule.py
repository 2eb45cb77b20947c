from datetime import timedelta

from . import conf

BEAT_SCHEDULE = {
    "forces.mobilisation-sweep": {
        "task": "forces.tasks.mobilisation_sweep",
        "schedule": timedelta(seconds=conf.SWEEP_SECONDS),
    },
}
