"""The dashboard's queries: each answers one part of one page with bounded, indexed reads.

Nothing here loads every program of a run: listings are paged, trees are windows around
one program, and whole-run figures are aggregates the database computes from covering
indexes (see migration 0003_dashboard).
"""
