"""Discrepancy functions of the SEM engine (ML; FIML for incomplete data)."""
