"""``python -m capacity``: the command line."""

import sys

from capacity.cli import main

if __name__ == "__main__":
    sys.exit(main())
