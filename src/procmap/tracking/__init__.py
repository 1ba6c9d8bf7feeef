"""`procmap track`: live cases against their workflows (tracker.py has the API).

Kept empty so that the CLI can list the output formats without loading
numpy or the analysis.
"""
