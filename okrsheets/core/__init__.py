"""The pure core: the OKR model, value reading, scoring and results. No I/O."""
