-- A stack's design beyond its nodes (model/design.go): a parameter's type,
-- allowed values and NoEcho; the fields of nodes that take a parameter's
-- value (model.ParamRef); and environments, named sets of parameter values
-- (model.Environment).

ALTER TABLE stack_parameters ADD COLUMN type TEXT NOT NULL DEFAULT ''
	CONSTRAINT parameter_type CHECK (length(type) <= 64);
ALTER TABLE stack_parameters ADD COLUMN allowed_values TEXT NOT NULL DEFAULT '[]'
	CONSTRAINT parameter_allowed_values CHECK (json_valid(allowed_values) AND json_type(allowed_values) = 'array');
ALTER TABLE stack_parameters ADD COLUMN no_echo INTEGER NOT NULL DEFAULT 0
	CONSTRAINT parameter_no_echo CHECK (no_echo IN (0, 1));

CREATE TABLE node_parameters (
	stack_id  INTEGER NOT NULL REFERENCES stacks (id) ON DELETE CASCADE,
	node_id   TEXT NOT NULL,
	field     TEXT NOT NULL CONSTRAINT node_parameter_field CHECK (length(field) BETWEEN 1 AND 64),
	parameter TEXT NOT NULL
		CONSTRAINT node_parameter_name CHECK (length(parameter) BETWEEN 1 AND 255
			AND parameter NOT GLOB '*[^A-Za-z0-9]*'),
	ordinal   INTEGER NOT NULL,
	PRIMARY KEY (stack_id, node_id, field)
) WITHOUT ROWID;

CREATE TABLE stack_environments (
	stack_id INTEGER NOT NULL REFERENCES stacks (id) ON DELETE CASCADE,
	name     TEXT NOT NULL
		CONSTRAINT environment_name CHECK (length(name) BETWEEN 1 AND 64
			AND name GLOB '[A-Za-z]*' AND name NOT GLOB '*[^A-Za-z0-9_-]*'),
	ordinal  INTEGER NOT NULL,
	PRIMARY KEY (stack_id, name)
) WITHOUT ROWID;

CREATE TABLE environment_values (
	stack_id    INTEGER NOT NULL REFERENCES stacks (id) ON DELETE CASCADE,
	-- One of the stack's environments; the model checks it, so the rows
	-- of an environment and of its values are saved independently.
	environment TEXT NOT NULL,
	parameter   TEXT NOT NULL
		CONSTRAINT environment_value_parameter CHECK (length(parameter) BETWEEN 1 AND 255
			AND parameter NOT GLOB '*[^A-Za-z0-9]*'),
	value       TEXT NOT NULL
		CONSTRAINT environment_value CHECK (length(CAST(value AS BLOB)) <= 4096),
	PRIMARY KEY (stack_id, environment, parameter)
) WITHOUT ROWID;
