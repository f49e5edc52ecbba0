-- The folder on this machine a stack was last exported to with
-- `export --dir`: serve offers edits of its template.yaml as revisions of
-- the stack (the working folder, issue 15 item 5), as it does for a linked
-- local repository's folder, which takes precedence.
CREATE TABLE working_folders (
	stack_id INTEGER PRIMARY KEY REFERENCES stacks (id) ON DELETE CASCADE,
	dir      TEXT NOT NULL CHECK (length(dir) BETWEEN 1 AND 4096)
);
