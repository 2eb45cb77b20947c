"""Settings of the workers app, read from the environment with defaults."""

import os

# Weekly workload cap in minutes of admission-list work (DOMAIN §4): full-time and part-time differ.
WORKLOAD_CAP_MINUTES = {
    "full_time": int(os.environ.get("WORKERS_CAP_FULL_TIME_MINUTES", str(20 * 60))),
    "part_time": int(os.environ.get("WORKERS_CAP_PART_TIME_MINUTES", str(8 * 60))),
}
# A duty log may be entered this many days after the fact at most.
DUTY_LOG_MAX_AGE_DAYS = int(os.environ.get("WORKERS_DUTY_LOG_MAX_AGE_DAYS", "31"))
