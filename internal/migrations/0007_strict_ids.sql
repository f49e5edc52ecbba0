-- switchboard: foreign_keys off
-- Two rules the schema could not state before, added by rebuilding the
-- tables that need them (SQLite cannot add a CHECK or AUTOINCREMENT to a
-- table in place):
--
-- 1. Every column holding a node, route or wire ID matches model.IDPattern,
--    ^[A-Za-z][A-Za-z0-9_-]{0,63}$. IDs end up in URL paths; the model and
--    the importer refuse others, and this catches what bypasses both.
--    SQLite has no regexp, so the pattern is spelled with length and GLOB:
--    1 to 64 characters, a letter first, then only letters, digits, _ and -
--    (a '-' just before ']' is a literal hyphen). The byte length must equal
--    the character length, which refuses a NUL, after which GLOB and
--    length() would not look.
-- 2. stacks.id is AUTOINCREMENT, so a deleted stack's ID is never given to a
--    new stack: a bookmark, an open tab or a run of the old stack must not
--    reach the new one.
--
-- Every table that references a rebuilt one is rebuilt too or keeps
-- referencing it by name, which the renames below preserve. Foreign keys are
-- off while the tables are swapped and checked before commit
-- (store.migrateOne). Indexes and triggers go with their tables and are made
-- again at the end.

CREATE TABLE new_stacks (
	id            INTEGER PRIMARY KEY AUTOINCREMENT,
	name          TEXT NOT NULL UNIQUE
		CONSTRAINT stack_name CHECK (length(name) BETWEEN 1 AND 128
			AND name GLOB '[A-Za-z]*' AND name NOT GLOB '*[^A-Za-z0-9-]*'),
	description   TEXT NOT NULL DEFAULT ''
		CONSTRAINT stack_description CHECK (length(CAST(description AS BLOB)) <= 1024),
	head_revision INTEGER NOT NULL,
	created_at    TEXT NOT NULL,
	updated_at    TEXT NOT NULL,
	state_token   INTEGER NOT NULL DEFAULT 0,
	FOREIGN KEY (id, head_revision) REFERENCES revisions (stack_id, revision)
		DEFERRABLE INITIALLY DEFERRED
);
INSERT INTO new_stacks (id, name, description, head_revision, created_at, updated_at, state_token)
	SELECT id, name, description, head_revision, created_at, updated_at, state_token FROM stacks;
-- The copy starts the sequence at the largest ID present (the rename below
-- carries it over). A stack deleted before this migration with a larger ID
-- cannot be known; from here on, no ID returns.

CREATE TABLE new_nodes (
	stack_id     INTEGER NOT NULL REFERENCES stacks (id) ON DELETE CASCADE,
	id           TEXT NOT NULL
		CONSTRAINT node_id CHECK (length(id) BETWEEN 1 AND 64 AND length(CAST(id AS BLOB)) = length(id)
			AND id GLOB '[A-Za-z]*' AND id NOT GLOB '*[^A-Za-z0-9_-]*'),
	kind         TEXT NOT NULL CONSTRAINT node_kind CHECK (kind IN ('api', 'function', 'table')),
	ordinal      INTEGER NOT NULL,
	logical_name TEXT NOT NULL
		CONSTRAINT node_logical_name CHECK (length(logical_name) BETWEEN 1 AND 255
			AND logical_name NOT GLOB '*[^A-Za-z0-9]*'),
	x            REAL NOT NULL,
	y            REAL NOT NULL,
	PRIMARY KEY (stack_id, id),
	CONSTRAINT node_logical_name_unique UNIQUE (stack_id, logical_name),
	UNIQUE (stack_id, id, kind)
) WITHOUT ROWID;
INSERT INTO new_nodes (stack_id, id, kind, ordinal, logical_name, x, y)
	SELECT stack_id, id, kind, ordinal, logical_name, x, y FROM nodes;

CREATE TABLE new_apis (
	stack_id                     INTEGER NOT NULL,
	id                           TEXT NOT NULL
		CONSTRAINT api_id CHECK (length(id) BETWEEN 1 AND 64 AND length(CAST(id AS BLOB)) = length(id)
			AND id GLOB '[A-Za-z]*' AND id NOT GLOB '*[^A-Za-z0-9_-]*'),
	kind                         TEXT NOT NULL DEFAULT 'api' CHECK (kind = 'api'),
	description                  TEXT NOT NULL DEFAULT ''
		CONSTRAINT api_description CHECK (length(CAST(description AS BLOB)) <= 1024),
	route_selection_expression   TEXT NOT NULL
		CONSTRAINT api_route_selection_expression CHECK (route_selection_expression LIKE '%request.body.%'),
	api_key_selection_expression TEXT NOT NULL DEFAULT ''
		CONSTRAINT api_key_selection_expression CHECK (api_key_selection_expression IN
			('', '$request.header.x-api-key', '$context.authorizer.usageIdentifierKey')),
	stage_name                   TEXT NOT NULL
		CONSTRAINT api_stage_name CHECK (length(stage_name) BETWEEN 1 AND 128
			AND stage_name NOT GLOB '*[^A-Za-z0-9_-]*'),
	kept                         TEXT NOT NULL DEFAULT '[]'
		CONSTRAINT api_kept CHECK (json_valid(kept) AND json_type(kept) = 'array'),
	PRIMARY KEY (stack_id, id),
	FOREIGN KEY (stack_id, id, kind) REFERENCES nodes (stack_id, id, kind) ON DELETE CASCADE
) WITHOUT ROWID;
INSERT INTO new_apis (stack_id, id, kind, description, route_selection_expression, api_key_selection_expression, stage_name, kept)
	SELECT stack_id, id, kind, description, route_selection_expression, api_key_selection_expression, stage_name, kept FROM apis;

CREATE TABLE new_authorizers (
	stack_id         INTEGER NOT NULL,
	api_id           TEXT NOT NULL
		CONSTRAINT authorizer_api_id CHECK (length(api_id) BETWEEN 1 AND 64 AND length(CAST(api_id AS BLOB)) = length(api_id)
			AND api_id GLOB '[A-Za-z]*' AND api_id NOT GLOB '*[^A-Za-z0-9_-]*'),
	name             TEXT NOT NULL CONSTRAINT authorizer_name CHECK (length(name) BETWEEN 1 AND 128),
	identity_sources TEXT NOT NULL
		CONSTRAINT authorizer_identity_sources CHECK (json_valid(identity_sources)
			AND json_type(identity_sources) = 'array' AND json_array_length(identity_sources) >= 1),
	PRIMARY KEY (stack_id, api_id),
	FOREIGN KEY (stack_id, api_id) REFERENCES apis (stack_id, id) ON DELETE CASCADE
) WITHOUT ROWID;
INSERT INTO new_authorizers (stack_id, api_id, name, identity_sources)
	SELECT stack_id, api_id, name, identity_sources FROM authorizers;

CREATE TABLE new_routes (
	stack_id         INTEGER NOT NULL,
	id               TEXT NOT NULL
		CONSTRAINT route_id CHECK (length(id) BETWEEN 1 AND 64 AND length(CAST(id AS BLOB)) = length(id)
			AND id GLOB '[A-Za-z]*' AND id NOT GLOB '*[^A-Za-z0-9_-]*'),
	api_id           TEXT NOT NULL
		CONSTRAINT route_api_id CHECK (length(api_id) BETWEEN 1 AND 64 AND length(CAST(api_id AS BLOB)) = length(api_id)
			AND api_id GLOB '[A-Za-z]*' AND api_id NOT GLOB '*[^A-Za-z0-9_-]*'),
	ordinal          INTEGER NOT NULL,
	route_key        TEXT NOT NULL
		CONSTRAINT route_key CHECK (route_key IN ('$connect', '$disconnect', '$default')
			OR (length(route_key) BETWEEN 1 AND 128 AND route_key GLOB '[A-Za-z0-9]*'
				AND route_key NOT GLOB '*[^A-Za-z0-9_.:/-]*')),
	two_way          INTEGER NOT NULL DEFAULT 0 CHECK (two_way IN (0, 1)),
	api_key_required INTEGER NOT NULL DEFAULT 0 CHECK (api_key_required IN (0, 1)),
	authorized       INTEGER NOT NULL DEFAULT 0
		CONSTRAINT route_authorized CHECK (authorized IN (0, 1) AND (authorized = 0 OR route_key = '$connect')),
	kept             TEXT NOT NULL DEFAULT '[]'
		CONSTRAINT route_kept CHECK (json_valid(kept) AND json_type(kept) = 'array'),
	PRIMARY KEY (stack_id, id),
	CONSTRAINT route_key_unique UNIQUE (stack_id, api_id, route_key),
	FOREIGN KEY (stack_id, api_id) REFERENCES apis (stack_id, id) ON DELETE CASCADE
) WITHOUT ROWID;
INSERT INTO new_routes (stack_id, id, api_id, ordinal, route_key, two_way, api_key_required, authorized, kept)
	SELECT stack_id, id, api_id, ordinal, route_key, two_way, api_key_required, authorized, kept FROM routes;

CREATE TABLE new_functions (
	stack_id            INTEGER NOT NULL,
	id                  TEXT NOT NULL
		CONSTRAINT function_id CHECK (length(id) BETWEEN 1 AND 64 AND length(CAST(id AS BLOB)) = length(id)
			AND id GLOB '[A-Za-z]*' AND id NOT GLOB '*[^A-Za-z0-9_-]*'),
	kind                TEXT NOT NULL DEFAULT 'function' CHECK (kind = 'function'),
	description         TEXT NOT NULL DEFAULT ''
		CONSTRAINT function_description CHECK (length(CAST(description AS BLOB)) <= 256),
	runtime             TEXT NOT NULL CONSTRAINT function_runtime CHECK (runtime <> ''),
	handler             TEXT NOT NULL
		CONSTRAINT function_handler CHECK (length(handler) BETWEEN 1 AND 128
			AND handler NOT GLOB ('*[' || char(9, 10, 12, 13, 32) || ']*')),
	code_path           TEXT NOT NULL
		CONSTRAINT function_code_path CHECK (length(code_path) BETWEEN 1 AND 1024
			AND code_path NOT GLOB '/*' AND instr(code_path, char(92)) = 0
			AND code_path NOT IN ('.', '..') AND code_path NOT GLOB '../*'),
	memory_size         INTEGER NOT NULL
		CONSTRAINT function_memory_size CHECK (memory_size BETWEEN 128 AND 10240),
	timeout             INTEGER NOT NULL
		CONSTRAINT function_timeout CHECK (timeout BETWEEN 1 AND 900),
	log_retention_days  INTEGER NOT NULL
		CONSTRAINT function_log_retention_days CHECK (log_retention_days IN (1, 3, 5, 7, 14, 30, 60, 90,
			120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)),
	log_deletion_policy TEXT NOT NULL
		CONSTRAINT function_log_deletion_policy CHECK (log_deletion_policy IN ('Retain', 'Delete')),
	kept                TEXT NOT NULL DEFAULT '[]'
		CONSTRAINT function_kept CHECK (json_valid(kept) AND json_type(kept) = 'array'),
	PRIMARY KEY (stack_id, id),
	FOREIGN KEY (stack_id, id, kind) REFERENCES nodes (stack_id, id, kind) ON DELETE CASCADE
) WITHOUT ROWID;
INSERT INTO new_functions (stack_id, id, kind, description, runtime, handler, code_path, memory_size, timeout,
		log_retention_days, log_deletion_policy, kept)
	SELECT stack_id, id, kind, description, runtime, handler, code_path, memory_size, timeout,
		log_retention_days, log_deletion_policy, kept FROM functions;

CREATE TABLE new_function_env (
	stack_id    INTEGER NOT NULL,
	function_id TEXT NOT NULL
		CONSTRAINT function_env_function_id CHECK (length(function_id) BETWEEN 1 AND 64
			AND length(CAST(function_id AS BLOB)) = length(function_id)
			AND function_id GLOB '[A-Za-z]*' AND function_id NOT GLOB '*[^A-Za-z0-9_-]*'),
	name        TEXT NOT NULL
		CONSTRAINT function_env_name CHECK (name GLOB '[A-Za-z]*' AND name NOT GLOB '*[^A-Za-z0-9_]*'
			AND upper(name) NOT GLOB 'AWS_*'
			AND name NOT IN ('_HANDLER', '_X_AMZN_TRACE_ID', 'LAMBDA_TASK_ROOT', 'LAMBDA_RUNTIME_DIR')),
	value       TEXT NOT NULL,
	PRIMARY KEY (stack_id, function_id, name),
	FOREIGN KEY (stack_id, function_id) REFERENCES functions (stack_id, id) ON DELETE CASCADE
) WITHOUT ROWID;
INSERT INTO new_function_env (stack_id, function_id, name, value)
	SELECT stack_id, function_id, name, value FROM function_env;

CREATE TABLE new_dynamo_tables (
	stack_id        INTEGER NOT NULL,
	id              TEXT NOT NULL
		CONSTRAINT table_id CHECK (length(id) BETWEEN 1 AND 64 AND length(CAST(id AS BLOB)) = length(id)
			AND id GLOB '[A-Za-z]*' AND id NOT GLOB '*[^A-Za-z0-9_-]*'),
	kind            TEXT NOT NULL DEFAULT 'table' CHECK (kind = 'table'),
	pk_name         TEXT NOT NULL
		CONSTRAINT table_partition_key_name CHECK (length(pk_name) BETWEEN 1 AND 255 AND pk_name = trim(pk_name)),
	pk_type         TEXT NOT NULL CONSTRAINT table_partition_key_type CHECK (pk_type IN ('S', 'N', 'B')),
	sk_name         TEXT
		CONSTRAINT table_sort_key_name CHECK (length(sk_name) BETWEEN 1 AND 255 AND sk_name = trim(sk_name)
			AND sk_name <> pk_name),
	sk_type         TEXT CONSTRAINT table_sort_key_type CHECK (sk_type IN ('S', 'N', 'B')),
	billing_mode    TEXT NOT NULL,
	read_capacity   INTEGER NOT NULL DEFAULT 0,
	write_capacity  INTEGER NOT NULL DEFAULT 0,
	ttl_attribute   TEXT NOT NULL DEFAULT ''
		CONSTRAINT table_ttl_attribute CHECK (ttl_attribute = ''
			OR (length(ttl_attribute) <= 255 AND ttl_attribute <> pk_name AND ttl_attribute IS NOT sk_name)),
	deletion_policy TEXT NOT NULL
		CONSTRAINT table_deletion_policy CHECK (deletion_policy IN ('Retain', 'Delete')),
	kept            TEXT NOT NULL DEFAULT '[]'
		CONSTRAINT table_kept CHECK (json_valid(kept) AND json_type(kept) = 'array'),
	CONSTRAINT table_sort_key CHECK ((sk_name IS NULL) = (sk_type IS NULL)),
	CONSTRAINT table_billing_mode CHECK (
		(billing_mode = 'PAY_PER_REQUEST' AND read_capacity = 0 AND write_capacity = 0)
		OR (billing_mode = 'PROVISIONED' AND read_capacity BETWEEN 1 AND 40000
			AND write_capacity BETWEEN 1 AND 40000)),
	PRIMARY KEY (stack_id, id),
	FOREIGN KEY (stack_id, id, kind) REFERENCES nodes (stack_id, id, kind) ON DELETE CASCADE
) WITHOUT ROWID;
INSERT INTO new_dynamo_tables (stack_id, id, kind, pk_name, pk_type, sk_name, sk_type, billing_mode, read_capacity,
		write_capacity, ttl_attribute, deletion_policy, kept)
	SELECT stack_id, id, kind, pk_name, pk_type, sk_name, sk_type, billing_mode, read_capacity,
		write_capacity, ttl_attribute, deletion_policy, kept FROM dynamo_tables;

CREATE TABLE new_wires (
	stack_id   INTEGER NOT NULL,
	id         TEXT NOT NULL
		CONSTRAINT wire_id CHECK (length(id) BETWEEN 1 AND 64 AND length(CAST(id AS BLOB)) = length(id)
			AND id GLOB '[A-Za-z]*' AND id NOT GLOB '*[^A-Za-z0-9_-]*'),
	ordinal    INTEGER NOT NULL,
	kind       TEXT NOT NULL
		CONSTRAINT wire_kind CHECK (kind IN ('integration', 'read', 'read-write', 'send', 'authorizer')),
	-- NULL passes a CHECK, so the optional ends need no special case.
	from_route TEXT
		CONSTRAINT wire_from_route CHECK (length(from_route) BETWEEN 1 AND 64
			AND length(CAST(from_route AS BLOB)) = length(from_route)
			AND from_route GLOB '[A-Za-z]*' AND from_route NOT GLOB '*[^A-Za-z0-9_-]*'),
	from_node  TEXT
		CONSTRAINT wire_from_node CHECK (length(from_node) BETWEEN 1 AND 64
			AND length(CAST(from_node AS BLOB)) = length(from_node)
			AND from_node GLOB '[A-Za-z]*' AND from_node NOT GLOB '*[^A-Za-z0-9_-]*'),
	from_kind  TEXT NOT NULL DEFAULT 'function' CHECK (from_kind = 'function'),
	to_id      TEXT NOT NULL
		CONSTRAINT wire_to_id CHECK (length(to_id) BETWEEN 1 AND 64 AND length(CAST(to_id AS BLOB)) = length(to_id)
			AND to_id GLOB '[A-Za-z]*' AND to_id NOT GLOB '*[^A-Za-z0-9_-]*'),
	to_kind    TEXT NOT NULL
		CONSTRAINT wire_to_kind CHECK (to_kind = CASE kind
			WHEN 'integration' THEN 'function'
			WHEN 'read' THEN 'table'
			WHEN 'read-write' THEN 'table'
			ELSE 'api' END),
	from_id    TEXT GENERATED ALWAYS AS (coalesce(from_route, from_node)) VIRTUAL,
	CONSTRAINT wire_from CHECK (CASE kind WHEN 'integration'
		THEN from_route IS NOT NULL AND from_node IS NULL
		ELSE from_node IS NOT NULL AND from_route IS NULL END),
	PRIMARY KEY (stack_id, id),
	FOREIGN KEY (stack_id, from_route) REFERENCES routes (stack_id, id) ON DELETE CASCADE,
	FOREIGN KEY (stack_id, from_node, from_kind) REFERENCES nodes (stack_id, id, kind) ON DELETE CASCADE,
	FOREIGN KEY (stack_id, to_id, to_kind) REFERENCES nodes (stack_id, id, kind) ON DELETE CASCADE
);
INSERT INTO new_wires (rowid, stack_id, id, ordinal, kind, from_route, from_node, from_kind, to_id, to_kind)
	SELECT rowid, stack_id, id, ordinal, kind, from_route, from_node, from_kind, to_id, to_kind FROM wires;

CREATE TABLE new_others (
	stack_id     INTEGER NOT NULL REFERENCES stacks (id) ON DELETE CASCADE,
	id           TEXT NOT NULL
		CONSTRAINT other_id CHECK (length(id) BETWEEN 1 AND 64 AND length(CAST(id AS BLOB)) = length(id)
			AND id GLOB '[A-Za-z]*' AND id NOT GLOB '*[^A-Za-z0-9_-]*'),
	ordinal      INTEGER NOT NULL,
	logical_name TEXT NOT NULL
		CONSTRAINT other_logical_name CHECK (length(logical_name) BETWEEN 1 AND 255
			AND logical_name NOT GLOB '*[^A-Za-z0-9]*'),
	type         TEXT NOT NULL CONSTRAINT other_type CHECK (type GLOB '?*::?*'),
	resource     TEXT NOT NULL
		CONSTRAINT other_resource CHECK (json_valid(resource) AND json_type(resource) = 'object'),
	x            REAL NOT NULL,
	y            REAL NOT NULL,
	PRIMARY KEY (stack_id, id),
	CONSTRAINT other_logical_name_unique UNIQUE (stack_id, logical_name)
) WITHOUT ROWID;
INSERT INTO new_others (stack_id, id, ordinal, logical_name, type, resource, x, y)
	SELECT stack_id, id, ordinal, logical_name, type, resource, x, y FROM others;

DROP TABLE wires;
DROP TABLE function_env;
DROP TABLE authorizers;
DROP TABLE routes;
DROP TABLE apis;
DROP TABLE functions;
DROP TABLE dynamo_tables;
DROP TABLE nodes;
DROP TABLE others;
DROP TABLE stacks;

ALTER TABLE new_stacks RENAME TO stacks;
ALTER TABLE new_nodes RENAME TO nodes;
ALTER TABLE new_apis RENAME TO apis;
ALTER TABLE new_authorizers RENAME TO authorizers;
ALTER TABLE new_routes RENAME TO routes;
ALTER TABLE new_functions RENAME TO functions;
ALTER TABLE new_function_env RENAME TO function_env;
ALTER TABLE new_dynamo_tables RENAME TO dynamo_tables;
ALTER TABLE new_wires RENAME TO wires;
ALTER TABLE new_others RENAME TO others;

CREATE INDEX routes_api ON routes (stack_id, api_id, ordinal);
CREATE UNIQUE INDEX wires_ends ON wires (stack_id, from_id, to_id);
CREATE UNIQUE INDEX wires_one_handler ON wires (stack_id, from_route) WHERE kind = 'integration';
CREATE UNIQUE INDEX wires_one_authorizer ON wires (stack_id, to_id) WHERE kind = 'authorizer';
CREATE INDEX wires_from_route ON wires (stack_id, from_route);
CREATE INDEX wires_from_node ON wires (stack_id, from_node, from_kind);
CREATE INDEX wires_to ON wires (stack_id, to_id, to_kind);

-- As in 0003: one ID space per stack across nodes, routes and wires.
CREATE TRIGGER nodes_id_insert BEFORE INSERT ON nodes
WHEN EXISTS (SELECT 1 FROM routes WHERE stack_id = NEW.stack_id AND id = NEW.id)
	OR EXISTS (SELECT 1 FROM wires WHERE stack_id = NEW.stack_id AND id = NEW.id)
BEGIN
	SELECT RAISE(ABORT, 'id_unique: a route or wire of the stack already has this node''s ID');
END;

CREATE TRIGGER nodes_id_update BEFORE UPDATE OF id ON nodes
WHEN EXISTS (SELECT 1 FROM routes WHERE stack_id = NEW.stack_id AND id = NEW.id)
	OR EXISTS (SELECT 1 FROM wires WHERE stack_id = NEW.stack_id AND id = NEW.id)
BEGIN
	SELECT RAISE(ABORT, 'id_unique: a route or wire of the stack already has this node''s ID');
END;

CREATE TRIGGER routes_id_insert BEFORE INSERT ON routes
WHEN EXISTS (SELECT 1 FROM nodes WHERE stack_id = NEW.stack_id AND id = NEW.id)
	OR EXISTS (SELECT 1 FROM wires WHERE stack_id = NEW.stack_id AND id = NEW.id)
BEGIN
	SELECT RAISE(ABORT, 'id_unique: a node or wire of the stack already has this route''s ID');
END;

CREATE TRIGGER routes_id_update BEFORE UPDATE OF id ON routes
WHEN EXISTS (SELECT 1 FROM nodes WHERE stack_id = NEW.stack_id AND id = NEW.id)
	OR EXISTS (SELECT 1 FROM wires WHERE stack_id = NEW.stack_id AND id = NEW.id)
BEGIN
	SELECT RAISE(ABORT, 'id_unique: a node or wire of the stack already has this route''s ID');
END;

CREATE TRIGGER wires_id_insert BEFORE INSERT ON wires
WHEN EXISTS (SELECT 1 FROM nodes WHERE stack_id = NEW.stack_id AND id = NEW.id)
	OR EXISTS (SELECT 1 FROM routes WHERE stack_id = NEW.stack_id AND id = NEW.id)
BEGIN
	SELECT RAISE(ABORT, 'id_unique: a node or route of the stack already has this wire''s ID');
END;

CREATE TRIGGER wires_id_update BEFORE UPDATE OF id ON wires
WHEN EXISTS (SELECT 1 FROM nodes WHERE stack_id = NEW.stack_id AND id = NEW.id)
	OR EXISTS (SELECT 1 FROM routes WHERE stack_id = NEW.stack_id AND id = NEW.id)
BEGIN
	SELECT RAISE(ABORT, 'id_unique: a node or route of the stack already has this wire''s ID');
END;
