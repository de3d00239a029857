"""Run every bench/bench_*.py in its own process and print their figures."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

if __name__ == "__main__":
    status = 0
    for script in sorted(HERE.glob("bench_*.py")):
        print(f"# {script.name}", flush=True)  # noqa: T201
        status |= subprocess.run([sys.executable, str(script)], check=False).returncode
    sys.exit(status)
