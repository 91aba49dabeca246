"""Exit 0 when pyproject.toml lists import-linter contracts, 1 when it lists none.

`make lint` runs lint-imports only then: import-linter fails on a configuration without
contracts, and the contracts arrive with the layering work.
"""

import sys
import tomllib
from pathlib import Path

config = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text())
contracts = config.get("tool", {}).get("importlinter", {}).get("contracts")
sys.exit(0 if contracts else 1)
