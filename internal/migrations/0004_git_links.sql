-- A stack's link to a Git repository, for "Commit to repo". At most one per
-- stack; deleting the stack deletes its link.
--
-- No secret is kept here: an HTTPS token lives in a file of its own under
-- the data directory, created 0600 in a 0700 folder, and token_ref names
-- that file. A random name rather than the stack ID, because a deleted
-- stack's ID can return and must not inherit the old stack's token.
CREATE TABLE git_links (
	stack_id      INTEGER PRIMARY KEY REFERENCES stacks (id) ON DELETE CASCADE,
	-- A local folder path or a remote URL (https, ssh, git@host:path, file).
	repo          TEXT NOT NULL CONSTRAINT git_link_repo CHECK (length(repo) BETWEEN 1 AND 4096),
	branch        TEXT NOT NULL CONSTRAINT git_link_branch CHECK (length(branch) BETWEEN 1 AND 255),
	-- The stack's folder inside the repository, relative; '' is the root.
	folder        TEXT NOT NULL DEFAULT ''
		CONSTRAINT git_link_folder CHECK (length(folder) <= 1024 AND folder NOT GLOB '/*'),
	author_name   TEXT NOT NULL DEFAULT '',
	author_email  TEXT NOT NULL DEFAULT '',
	-- HTTPS user name for the token; '' lets gitlink choose.
	username      TEXT NOT NULL DEFAULT '',
	-- The path of an SSH private key file (the key stays in its file).
	ssh_key_file  TEXT NOT NULL DEFAULT '',
	-- The name of the token's secrets file; '' when there is no token.
	token_ref     TEXT NOT NULL DEFAULT ''
		CONSTRAINT git_link_token_ref CHECK (token_ref NOT GLOB '*[^0-9a-f]*'),
	-- The user agreed to create the branch on a remote that lacks it.
	create_branch INTEGER NOT NULL DEFAULT 0 CHECK (create_branch IN (0, 1)),
	updated_at    TEXT NOT NULL
);
