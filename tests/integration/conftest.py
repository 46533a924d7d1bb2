from tests.helpers.aws import aws, deps, posted, site  # noqa: F401
