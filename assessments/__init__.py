"""Competency frameworks, item bank, adaptive engine, sessions and scoring."""
