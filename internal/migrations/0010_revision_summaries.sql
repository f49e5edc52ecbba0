-- What each revision did, in a few words ("rename ConnectionHandler to
-- Connector"), for the canvas's Undo and Redo buttons. A table of its own
-- rather than a column of revisions: a column after the document would make
-- every read of it walk the document's overflow pages (see 0006). Revisions
-- written before this have none; the buttons then say Undo and Redo alone.
CREATE TABLE revision_summaries (
	stack_id INTEGER NOT NULL,
	revision INTEGER NOT NULL,
	summary  TEXT NOT NULL CHECK (length(summary) BETWEEN 1 AND 200),
	PRIMARY KEY (stack_id, revision),
	FOREIGN KEY (stack_id, revision) REFERENCES revisions (stack_id, revision) ON DELETE CASCADE
) WITHOUT ROWID;
