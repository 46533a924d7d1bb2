"""End-to-end tests: the real runtime (subprocess), real HTTP and real WebSockets."""
from tests.helpers.runtime import local_runtime  # noqa: F401  (session fixture)
