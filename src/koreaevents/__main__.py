"""``python -m koreaevents``: the command line."""

from koreaevents.cli import main

raise SystemExit(main())
