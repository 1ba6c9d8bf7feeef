"""Written documentation of workflows: SOPs, the process library and their templates."""
