import sys
from pathlib import Path

# The helpers module sits beside the tests; rule tests live one folder down.
sys.path.insert(0, str(Path(__file__).parent))
