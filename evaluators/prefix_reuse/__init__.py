"""Prompt-prefix reuse over tables: one LLM prompt per row, rows and fields reorderable.

Shared by the ``llm_sql`` problem's trusted verifier (metrics, the bound, tables) and
usable by candidates. Standard library, and NumPy for the upper bound.
"""
