-- What an import keeps of a template that Switchboard does not model (see
-- model.Kept, model.Other and Stack.Sections), so that the export writes it
-- back. The kept parts are JSON the store does not look into: the model
-- validates them, as it does runtimes.

-- Each object's kept parts: a JSON array of model.Kept.
ALTER TABLE apis ADD COLUMN kept TEXT NOT NULL DEFAULT '[]'
	CONSTRAINT api_kept CHECK (json_valid(kept) AND json_type(kept) = 'array');
ALTER TABLE routes ADD COLUMN kept TEXT NOT NULL DEFAULT '[]'
	CONSTRAINT route_kept CHECK (json_valid(kept) AND json_type(kept) = 'array');
ALTER TABLE functions ADD COLUMN kept TEXT NOT NULL DEFAULT '[]'
	CONSTRAINT function_kept CHECK (json_valid(kept) AND json_type(kept) = 'array');
ALTER TABLE dynamo_tables ADD COLUMN kept TEXT NOT NULL DEFAULT '[]'
	CONSTRAINT table_kept CHECK (json_valid(kept) AND json_type(kept) = 'array');

-- Resources Switchboard does not model, shown on the canvas as "other"
-- nodes. They live apart from nodes, whose kind CHECK predates them and
-- which the per-kind tables reference: nothing references an other node,
-- as no wire may end at one. The model keeps their IDs and logical names
-- apart from the nodes'.
CREATE TABLE others (
	stack_id     INTEGER NOT NULL REFERENCES stacks (id) ON DELETE CASCADE,
	id           TEXT NOT NULL CONSTRAINT other_id CHECK (id <> ''),
	ordinal      INTEGER NOT NULL,
	logical_name TEXT NOT NULL
		CONSTRAINT other_logical_name CHECK (length(logical_name) BETWEEN 1 AND 255
			AND logical_name NOT GLOB '*[^A-Za-z0-9]*'),
	type         TEXT NOT NULL CONSTRAINT other_type CHECK (type GLOB '?*::?*'),
	-- The whole resource as the template wrote it.
	resource     TEXT NOT NULL
		CONSTRAINT other_resource CHECK (json_valid(resource) AND json_type(resource) = 'object'),
	x            REAL NOT NULL,
	y            REAL NOT NULL,
	PRIMARY KEY (stack_id, id),
	CONSTRAINT other_logical_name_unique UNIQUE (stack_id, logical_name)
) WITHOUT ROWID;

-- Template sections kept as written, such as Parameters or Conditions, in
-- the order the export writes them.
CREATE TABLE stack_sections (
	stack_id INTEGER NOT NULL REFERENCES stacks (id) ON DELETE CASCADE,
	key      TEXT NOT NULL CONSTRAINT section_key CHECK (key IN ('AWSTemplateFormatVersion', 'Transform',
		'Metadata', 'Parameters', 'Rules', 'Mappings', 'Conditions', 'Globals', 'Outputs')),
	ordinal  INTEGER NOT NULL,
	value    TEXT NOT NULL CONSTRAINT section_value CHECK (json_valid(value)),
	PRIMARY KEY (stack_id, key)
) WITHOUT ROWID;
