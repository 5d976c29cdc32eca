"""ADRS: AI-driven research for systems.

An evolutionary program search in which every candidate runs in a sandbox, is scored by
trusted code outside it, and is kept with its full lineage in a SQL archive.
"""

__version__ = "0.1.0"
