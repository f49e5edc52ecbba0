-- Stack parameters (model.Parameter): the values a template takes when it
-- is deployed, such as an imported serverless.yml's ${env:…} variables,
-- and the folder a stack was imported from (model.Stack.ImportedFrom),
-- which its functions' code paths are relative to in a local run.

CREATE TABLE stack_parameters (
	stack_id      INTEGER NOT NULL REFERENCES stacks (id) ON DELETE CASCADE,
	name          TEXT NOT NULL
		CONSTRAINT parameter_name CHECK (length(name) BETWEEN 1 AND 255
			AND name NOT GLOB '*[^A-Za-z0-9]*'),
	ordinal       INTEGER NOT NULL,
	-- NULL: the deployment must give a value; '' is an empty default.
	default_value TEXT CONSTRAINT parameter_default CHECK (length(CAST(default_value AS BLOB)) <= 4096),
	description   TEXT NOT NULL DEFAULT ''
		CONSTRAINT parameter_description CHECK (length(description) <= 4000),
	PRIMARY KEY (stack_id, name)
) WITHOUT ROWID;

CREATE TABLE stack_imported_from (
	stack_id INTEGER NOT NULL PRIMARY KEY REFERENCES stacks (id) ON DELETE CASCADE,
	folder   TEXT NOT NULL CONSTRAINT imported_from_folder CHECK (folder <> '')
) WITHOUT ROWID;
