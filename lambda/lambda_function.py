"""AWS Lambda handler for Cramp Coach: `lambda_function.lambda_handler`.

The skill itself lives in the `skill` package, bundled beside this file.
"""

from skill.lambda_entry import lambda_handler

__all__ = ["lambda_handler"]
