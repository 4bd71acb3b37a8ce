"""The one build step pyproject.toml cannot declare: ship config.example.toml inside the package.

The example config stays at the repository root, where people read it; an
installed okrsheets finds it as okrsheets/config.example.toml (see
okrsheets/shipped.py). Everything else is in pyproject.toml.
"""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

EXAMPLE = "config.example.toml"


class build_py_with_example(build_py):  # noqa: N801 (setuptools command naming)
    def run(self) -> None:
        super().run()
        if not self.editable_mode:  # an editable install reads it from the checkout
            self.copy_file(EXAMPLE, str(Path(self.build_lib) / "okrsheets" / EXAMPLE))

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        return [*super().get_outputs(include_bytecode), str(Path(self.build_lib) / "okrsheets" / EXAMPLE)]


setup(cmdclass={"build_py": build_py_with_example})
