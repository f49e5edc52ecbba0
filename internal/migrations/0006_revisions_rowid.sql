-- switchboard: foreign_keys off
-- revisions was a WITHOUT ROWID table, which keeps whole rows, documents
-- included, in its primary key's b-tree. When a row overflows its page,
-- SQLite reads the whole row to compare keys, so every seek into a stack's
-- revisions (each save checks the newest and inserts the next) read
-- documents of hundreds of kilobytes for a large stack. As a rowid table,
-- the key has an index of its own and a document is read only when asked
-- for.
--
-- stacks references revisions, so the rebuild runs with foreign keys off
-- and the store checks them before it commits (store.migrateOne).

CREATE TABLE revisions_rowid (
	stack_id   INTEGER NOT NULL REFERENCES stacks (id) ON DELETE CASCADE,
	revision   INTEGER NOT NULL CHECK (revision >= 1),
	-- The stack as model.Stack's JSON, the same document a stack file holds.
	document   TEXT NOT NULL CONSTRAINT revision_document CHECK (json_valid(document)),
	created_at TEXT NOT NULL,
	PRIMARY KEY (stack_id, revision)
);

INSERT INTO revisions_rowid (stack_id, revision, document, created_at)
	SELECT stack_id, revision, document, created_at FROM revisions ORDER BY stack_id, revision;

DROP TABLE revisions;

ALTER TABLE revisions_rowid RENAME TO revisions;
