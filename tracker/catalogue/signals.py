"""What the catalogue announces to the domains built on it, without knowing them."""

from blinker import Namespace

_signals = Namespace()

#: Sent by ``seed_catalogue`` once the catalogue is flushed, with the briefing as sender. Each
#: receiver brings its own records in line (progress adds the new items' assignments) and returns a
#: ``Counter`` of what it changed, which seeding adds to its own count.
seeded = _signals.signal("catalogue-seeded")
