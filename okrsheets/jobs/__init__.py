"""The jobs: provision, rollup, the nightly run and its schedule, digest, run log, lock, demo."""
