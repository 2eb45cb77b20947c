"""Settings of the forces app, read from the environment with defaults."""

import os

# An activation reminds members who have not acknowledged after this many minutes…
REMIND_AFTER_MINUTES = int(os.environ.get("FORCES_REMIND_AFTER_MINUTES", "30"))
# …and tells their grid leader about those still silent after this many minutes (from notification).
LEADER_AFTER_MINUTES = int(os.environ.get("FORCES_LEADER_AFTER_MINUTES", "60"))
# How often the reminder sweep runs (seconds).
SWEEP_SECONDS = int(os.environ.get("FORCES_SWEEP_SECONDS", "60"))
# Public self-registration: attempts per client address per hour.
JOIN_RATE_PER_HOUR = int(os.environ.get("FORCES_JOIN_RATE_PER_HOUR", "10"))
