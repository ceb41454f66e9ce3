"""The soak runs on the e2e stack: real processes on free loopback ports."""

from tests.e2e.conftest import stack  # noqa: F401 - the fixture
