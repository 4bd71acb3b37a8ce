"""Option texts shared by the command modules of :mod:`okrsheets.cli`."""

CONFIG_HELP = "Config file (default: $OKRSHEETS_CONFIG, then ./okrsheets.toml)."
