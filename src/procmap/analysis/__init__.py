"""Analysing workflows: the step graph, the rules, the metrics, the simulation and the reports."""
