from tests.helpers.aws import aws, aws_stack, deps, posted, site  # noqa: F401
