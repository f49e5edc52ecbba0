-- Folder moves the user asked for when renaming a function whose code
-- folder already exists in the linked repository: the next commit moves
-- from_path to to_path (both relative to the stack's folder), then forgets
-- them. They belong to the link: unlinking forgets them.
CREATE TABLE code_moves (
	stack_id  INTEGER NOT NULL REFERENCES git_links (stack_id) ON DELETE CASCADE,
	from_path TEXT NOT NULL CHECK (length(from_path) BETWEEN 1 AND 1024),
	to_path   TEXT NOT NULL CHECK (length(to_path) BETWEEN 1 AND 1024),
	PRIMARY KEY (stack_id, to_path)
) WITHOUT ROWID;
