"""Applying the Algorithm to a workflow, and comparing before with after."""
