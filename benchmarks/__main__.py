"""``python -m benchmarks``: every benchmark in its quick mode and the goal table (see goals.py)."""

import sys

from benchmarks.goals import main

if __name__ == "__main__":
    sys.exit(main())
