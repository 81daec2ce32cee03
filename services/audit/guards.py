"""Append-only tables: triggers that make the database itself refuse UPDATE and DELETE (R-AU-2).

Used by the audit service's migrations, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations


def refusal(table: str) -> str:
    return f"{table} is append-only"


def append_only_guards(table: str, dialect: str) -> list[str]:
    """Triggers <table>_no_update and _no_delete (and _no_truncate on PostgreSQL)."""
    if dialect == "sqlite":
        return [
            f"""CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table}
            BEGIN SELECT RAISE(ABORT, '{refusal(table)}'); END"""
            for action in ("UPDATE", "DELETE")
        ]
    if dialect == "postgresql":
        function = f"{table}_refuse_change"
        return [
            f"""CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION '{refusal(table)}: % refused', TG_OP
                    USING ERRCODE = 'restrict_violation';
            END
            $$""",
            *(f"""CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table}
            FOR EACH ROW EXECUTE FUNCTION {function}()""" for action in ("UPDATE", "DELETE")),
            f"""CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
            FOR EACH STATEMENT EXECUTE FUNCTION {function}()""",
        ]
    raise NotImplementedError(f"no append-only triggers for {dialect}")


def drop_append_only_guards(table: str, dialect: str) -> list[str]:
    """Statements that remove the guards (downgrade), before the table is dropped."""
    if dialect == "postgresql":
        return [f"DROP TABLE {table}", f"DROP FUNCTION {table}_refuse_change()"]
    return [f"DROP TRIGGER {table}_no_update", f"DROP TRIGGER {table}_no_delete"]
