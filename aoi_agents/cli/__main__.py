"""python -m aoi_agents.cli"""

import sys

from aoi_agents.cli import main

sys.exit(main())
