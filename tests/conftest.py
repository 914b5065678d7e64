"""Shared pytest fixtures, registered from the modules that define them."""

pytest_plugins = ["web_fixtures", "dialog_fixtures", "dynamodb_server", "lambda_runtime"]
