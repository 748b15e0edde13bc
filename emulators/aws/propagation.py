"""What the credential exchanges see of IAM trust policies and Pod Identity associations: a change becomes
visible to them only `delay` seconds after it was made (IAM and EKS are eventually consistent; pods started
right after a change can be refused). The control and read APIs (GetRole, ListPodIdentityAssociations, ...)
always show the change at once, as AWS does.

    PROPAGATION.record(key, before, after)   at each change (before: the value just before it)
    PROPAGATION.seen(key, live)              the value an exchange sees now (live: the current value)

Default delay: env EMULATOR_PROPAGATION_SECONDS (0: changes take effect at once).
"""

import os
import threading
import time
from typing import Any

_NEVER = float("-inf")


def _default_delay() -> float:
    raw = os.environ.get("EMULATOR_PROPAGATION_SECONDS", "").strip()
    try:
        return max(0.0, float(raw)) if raw else 0.0
    except ValueError:
        raise SystemExit(f"EMULATOR_PROPAGATION_SECONDS: '{raw}' is not a number of seconds")


class Propagation:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.default = _default_delay()
        self.delay = self.default
        # key -> [(effective at, monotonic s), value]; the first entry is the value before the first change
        self.history: dict[Any, list[tuple[float, Any]]] = {}

    def set_delay(self, seconds: float) -> None:
        self.delay = max(0.0, float(seconds))

    def reset(self) -> None:
        with self.lock:
            self.delay, self.history = self.default, {}

    def record(self, key: Any, before: Any, after: Any) -> None:
        now = time.monotonic()
        with self.lock:
            entries = self.history.setdefault(key, [(_NEVER, before)])
            entries.append((now + self.delay, after))
            self._prune(key, now)

    def seen(self, key: Any, live: Any) -> Any:
        """The newest change in effect; `live` when every recorded change is (or none was recorded)."""
        now = time.monotonic()
        with self.lock:
            entries = self.history.get(key)
            if not entries or all(at <= now for at, _ in entries):
                return live
            return [value for at, value in entries if at <= now][-1]

    def pending(self) -> int:
        """How many changes are not yet in effect (for the control API)."""
        now = time.monotonic()
        with self.lock:
            return sum(1 for entries in self.history.values() for at, _ in entries if at > now)

    def _prune(self, key: Any, now: float) -> None:
        """Keep the newest entry in effect (as the base) and the ones still to come."""
        entries = self.history[key]
        effective = [i for i, (at, _) in enumerate(entries) if at <= now]
        newest = effective[-1] if effective else 0
        base = (_NEVER, entries[newest][1])
        self.history[key] = [base] + [e for i, e in enumerate(entries) if i > newest and e[0] > now]


PROPAGATION = Propagation()
