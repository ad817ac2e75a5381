"""Loads the CDK's pytest hooks: the `scenario` parametrization from acceptance-test-config.yml
and the fixtures and options its tests take."""

pytest_plugins = ["airbyte_cdk.test.standard_tests.pytest_hooks"]
