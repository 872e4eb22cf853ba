"""``python -m apprentice.cli``: the same as the ``apprentice`` entry point."""

import sys

from apprentice.cli import main

sys.exit(main())
