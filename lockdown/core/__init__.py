"""Shared machinery with no knowledge of the apps: errors, identity numbers, masking."""
