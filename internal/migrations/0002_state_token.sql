-- state_token changes, to a new random value, whenever a stack's normalized
-- state does: on every save, undo and redo. A Store that remembers the rows
-- it last wrote for a stack can trust them while the token is unchanged, and
-- so skip reading thousands of rows back before writing the few that
-- changed. A revision number cannot serve: after an undo and a new save, the
-- same number names a different state, and a deleted stack's ID can return.
ALTER TABLE stacks ADD COLUMN state_token INTEGER NOT NULL DEFAULT 0;
