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


CHAIN_REFUSAL = "an insert must extend the chain"


def chain_guard_name(table: str) -> str:
    return f"{table}_extends_chain"


def chain_guards(table: str, key: str, dialect: str, *, unique: str | None = None) -> list[str]:
    """A BEFORE INSERT trigger that refuses a row that does not extend the chain (R-AU-2).

    The row's ``key`` must be the last key + 1 (1 on an empty table) and its ``prev_hash`` the
    last row's ``hash`` (the genesis hash on an empty table). On SQLite it also refuses a row
    whose key or ``unique`` column already exists: a BEFORE INSERT trigger fires before the
    conflict resolution of ``INSERT OR REPLACE``, which would otherwise delete the old row
    without firing the delete trigger. On PostgreSQL the function reads the table through its
    schema-qualified name (a temporary table of the same name cannot stand in for it), and two
    concurrent inserts of the same next key are settled by the primary key: one waits, then
    fails.
    """
    message = f"{refusal(table)}: {CHAIN_REFUSAL}"
    genesis = "0" * 64
    if dialect == "sqlite":
        clash = (f" OR EXISTS (SELECT 1 FROM {table} WHERE {unique} = NEW.{unique})"
                 if unique else "")
        return [f"""CREATE TRIGGER {chain_guard_name(table)} BEFORE INSERT ON {table}
            WHEN NEW.{key} IS NOT (SELECT COALESCE(MAX({key}), 0) + 1 FROM {table})
              OR NEW.prev_hash IS NOT COALESCE(
                   (SELECT hash FROM {table} ORDER BY {key} DESC LIMIT 1), '{genesis}'){clash}
            BEGIN SELECT RAISE(ABORT, '{message}'); END"""]
    if dialect == "postgresql":
        function = chain_guard_name(table)
        return [
            f"""CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
            DECLARE
                last_key bigint;
                last_hash text;
            BEGIN
                EXECUTE format('SELECT {key}, hash FROM %I.%I ORDER BY {key} DESC LIMIT 1',
                               TG_TABLE_SCHEMA, TG_TABLE_NAME) INTO last_key, last_hash;
                IF NEW.{key} IS DISTINCT FROM COALESCE(last_key, 0) + 1
                   OR NEW.prev_hash IS DISTINCT FROM COALESCE(last_hash, '{genesis}') THEN
                    RAISE EXCEPTION '{message}: % after %', NEW.{key}, last_key
                        USING ERRCODE = 'restrict_violation';
                END IF;
                RETURN NEW;
            END
            $$""",
            f"""CREATE TRIGGER {function} BEFORE INSERT ON {table}
            FOR EACH ROW EXECUTE FUNCTION {function}()""",
        ]
    raise NotImplementedError(f"no chain guard for {dialect}")


def drop_chain_guards(table: str, dialect: str) -> list[str]:
    """Statements that remove the chain guard (downgrade)."""
    if dialect == "postgresql":
        return [f"DROP TRIGGER {chain_guard_name(table)} ON {table}",
                f"DROP FUNCTION {chain_guard_name(table)}()"]
    return [f"DROP TRIGGER {chain_guard_name(table)}"]


def refuse_changes_to_others(table: str) -> str:
    """PostgreSQL: take UPDATE, DELETE, TRUNCATE, TRIGGER and REFERENCES on ``table`` from every
    role but its owner, whatever they were granted (e.g. by default privileges): the service's
    role keeps INSERT and SELECT only (R-AU-2)."""
    return f"""DO $$
    DECLARE grantee oid;
    BEGIN
        FOR grantee IN
            SELECT DISTINCT a.grantee FROM pg_class c, aclexplode(c.relacl) a
            WHERE c.oid = '{table}'::regclass AND a.grantee <> c.relowner
        LOOP
            EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE, TRIGGER, REFERENCES ON %s FROM %s',
                           '{table}'::regclass, CASE WHEN grantee = 0 THEN 'PUBLIC'
                                                ELSE quote_ident(pg_get_userbyid(grantee)) END);
        END LOOP;
    END
    $$"""
