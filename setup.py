"""The compiled parts of the matching engine (Cython). Everything else is in pyproject.toml."""

from Cython.Build import cythonize
from setuptools import Extension, setup

setup(
    ext_modules=cythonize(
        [
            Extension("services.matching.engine._blocks", ["services/matching/engine/_blocks.pyx"]),
            Extension("services.matching.engine._ingest", ["services/matching/engine/_ingest.pyx"]),
            Extension("services.matching.engine._pseudonym", ["services/matching/engine/_pseudonym.pyx"]),
            Extension("services.matching.engine._compare", ["services/matching/engine/_compare.pyx"]),
        ],
        compiler_directives={"language_level": "3"},
    )
)
