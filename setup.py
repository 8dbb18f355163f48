"""Only what pyproject.toml cannot say: the wheel also carries ``brisa-airflow.pth``.

That one line in site-packages installs :mod:`brisa.airflow_hook` at interpreter start,
so ``import airflow`` works in test suites and scripts when Apache Airflow is not
installed (and defers to it when it is). See docs/authoring.md, "Outside Brisa".
"""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

PTH_NAME = "brisa-airflow.pth"
# One line that Python runs at start (a .pth line must begin with "import"); it does nothing
# when this Brisa is gone or shadowed by one without the hook (an uninstalled checkout).
PTH_LINE = (
    'import importlib.util as _u; _u.find_spec("brisa") and _u.find_spec("brisa.airflow_hook") '
    'and __import__("brisa.airflow_hook").airflow_hook.install()\n'
)


class BuildPyWithPth(build_py):
    def run(self) -> None:
        super().run()
        (Path(self.build_lib) / PTH_NAME).write_text(PTH_LINE)

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        return [*super().get_outputs(include_bytecode), str(Path(self.build_lib) / PTH_NAME)]


setup(cmdclass={"build_py": BuildPyWithPth})
