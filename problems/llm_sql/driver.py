"""Untrusted side of llm_sql: calls the candidate and hands back its input table as well.

Only indexes are scored (the host rebuilds every prompt from its own copy of the table),
and the table as it is after the call goes back beside them, so that the host can reject
a program that changes the table it was handed in place.
"""


def run(candidate, case_input):
    reorder = getattr(candidate, "reorder", None)
    if not callable(reorder):
        raise AttributeError("candidate defines no function 'reorder'")
    columns, rows, groups = case_input["columns"], case_input["rows"], case_input["groups"]
    result = reorder(columns, rows, groups)
    return {"reordering": result, "table_after": [columns, rows, groups]}
