-- Switchboard's first schema: the current state of each stack, normalized so
-- that SQLite itself enforces the model's rules wherever SQL can express
-- them, plus every revision of each stack as a full JSON document for
-- history, undo and redo.
--
-- The CHECKs here mirror model.Stack.ValidateDraft and may be looser than it
-- (the model is the first line; these catch what bypasses it), but never
-- stricter, or a stack the model accepts would fail to save. Rules that
-- change as AWS evolves, such as the list of Lambda runtimes, stay in the
-- model so that a new runtime needs no migration.

CREATE TABLE stacks (
	id            INTEGER PRIMARY KEY,
	-- model: 1 to 128 characters, a letter first, then letters, digits and
	-- hyphens. In GLOB a '-' just before ']' is a literal hyphen.
	name          TEXT NOT NULL UNIQUE
		CONSTRAINT stack_name CHECK (length(name) BETWEEN 1 AND 128
			AND name GLOB '[A-Za-z]*' AND name NOT GLOB '*[^A-Za-z0-9-]*'),
	-- The model counts bytes, hence the BLOB cast.
	description   TEXT NOT NULL DEFAULT ''
		CONSTRAINT stack_description CHECK (length(CAST(description AS BLOB)) <= 1024),
	-- head_revision is the revision the tables below hold. It is not always
	-- the newest one: after an undo, newer revisions stay for redo.
	head_revision INTEGER NOT NULL,
	created_at    TEXT NOT NULL,
	updated_at    TEXT NOT NULL,
	-- Deferred, because a new stack and its first revision are inserted in
	-- one transaction and each needs the other.
	FOREIGN KEY (id, head_revision) REFERENCES revisions (stack_id, revision)
		DEFERRABLE INITIALLY DEFERRED
);

CREATE TABLE revisions (
	stack_id   INTEGER NOT NULL REFERENCES stacks (id) ON DELETE CASCADE,
	revision   INTEGER NOT NULL CHECK (revision >= 1),
	-- The stack as model.Stack's JSON, the same document a stack file holds.
	document   TEXT NOT NULL CONSTRAINT revision_document CHECK (json_valid(document)),
	created_at TEXT NOT NULL,
	PRIMARY KEY (stack_id, revision)
) WITHOUT ROWID;

-- nodes holds what every resource on the canvas has. A node's kind is part of
-- a unique key so that the per-kind tables and the wires can reference
-- (stack_id, id, kind) and thereby require a node of the right kind.
CREATE TABLE nodes (
	stack_id     INTEGER NOT NULL REFERENCES stacks (id) ON DELETE CASCADE,
	id           TEXT NOT NULL CONSTRAINT node_id CHECK (id <> ''),
	kind         TEXT NOT NULL CONSTRAINT node_kind CHECK (kind IN ('api', 'function', 'table')),
	-- ordinal keeps the order of the stack's APIs, functions and tables,
	-- each kind numbered on its own.
	ordinal      INTEGER NOT NULL,
	-- A CloudFormation logical ID: 1 to 255 letters and digits.
	logical_name TEXT NOT NULL
		CONSTRAINT node_logical_name CHECK (length(logical_name) BETWEEN 1 AND 255
			AND logical_name NOT GLOB '*[^A-Za-z0-9]*'),
	x            REAL NOT NULL,
	y            REAL NOT NULL,
	PRIMARY KEY (stack_id, id),
	CONSTRAINT node_logical_name_unique UNIQUE (stack_id, logical_name),
	UNIQUE (stack_id, id, kind)
) WITHOUT ROWID;

CREATE TABLE apis (
	stack_id                     INTEGER NOT NULL,
	id                           TEXT NOT NULL,
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
	PRIMARY KEY (stack_id, id),
	FOREIGN KEY (stack_id, id, kind) REFERENCES nodes (stack_id, id, kind) ON DELETE CASCADE
) WITHOUT ROWID;

-- An API's Lambda REQUEST authorizer. Its function is the one wired to the
-- API with an authorizer wire.
CREATE TABLE authorizers (
	stack_id         INTEGER NOT NULL,
	api_id           TEXT NOT NULL,
	name             TEXT NOT NULL CONSTRAINT authorizer_name CHECK (length(name) BETWEEN 1 AND 128),
	-- A JSON array of strings, in order: they are always read and written
	-- together, and order matters to API Gateway's caching key.
	identity_sources TEXT NOT NULL
		CONSTRAINT authorizer_identity_sources CHECK (json_valid(identity_sources)
			AND json_type(identity_sources) = 'array' AND json_array_length(identity_sources) >= 1),
	PRIMARY KEY (stack_id, api_id),
	FOREIGN KEY (stack_id, api_id) REFERENCES apis (stack_id, id) ON DELETE CASCADE
) WITHOUT ROWID;

CREATE TABLE routes (
	stack_id         INTEGER NOT NULL,
	id               TEXT NOT NULL CONSTRAINT route_id CHECK (id <> ''),
	api_id           TEXT NOT NULL,
	ordinal          INTEGER NOT NULL,
	-- $connect, $disconnect, $default, or 1 to 128 of letters, digits and
	-- _ . : / - starting with a letter or digit.
	route_key        TEXT NOT NULL
		CONSTRAINT route_key CHECK (route_key IN ('$connect', '$disconnect', '$default')
			OR (length(route_key) BETWEEN 1 AND 128 AND route_key GLOB '[A-Za-z0-9]*'
				AND route_key NOT GLOB '*[^A-Za-z0-9_.:/-]*')),
	two_way          INTEGER NOT NULL DEFAULT 0 CHECK (two_way IN (0, 1)),
	api_key_required INTEGER NOT NULL DEFAULT 0 CHECK (api_key_required IN (0, 1)),
	-- API Gateway allows an authorizer only on $connect.
	authorized       INTEGER NOT NULL DEFAULT 0
		CONSTRAINT route_authorized CHECK (authorized IN (0, 1) AND (authorized = 0 OR route_key = '$connect')),
	PRIMARY KEY (stack_id, id),
	CONSTRAINT route_key_unique UNIQUE (stack_id, api_id, route_key),
	FOREIGN KEY (stack_id, api_id) REFERENCES apis (stack_id, id) ON DELETE CASCADE
) WITHOUT ROWID;

CREATE INDEX routes_api ON routes (stack_id, api_id, ordinal);

CREATE TABLE functions (
	stack_id            INTEGER NOT NULL,
	id                  TEXT NOT NULL,
	kind                TEXT NOT NULL DEFAULT 'function' CHECK (kind = 'function'),
	description         TEXT NOT NULL DEFAULT ''
		CONSTRAINT function_description CHECK (length(CAST(description AS BLOB)) <= 256),
	-- Which runtimes AWS accepts changes every few months, so the model
	-- checks the list and the schema only requires one.
	runtime             TEXT NOT NULL CONSTRAINT function_runtime CHECK (runtime <> ''),
	-- 1 to 128 characters, no white space.
	handler             TEXT NOT NULL
		CONSTRAINT function_handler CHECK (length(handler) BETWEEN 1 AND 128
			AND handler NOT GLOB ('*[' || char(9, 10, 12, 13, 32) || ']*')),
	-- Relative, with forward slashes.
	code_path           TEXT NOT NULL
		CONSTRAINT function_code_path CHECK (length(code_path) BETWEEN 1 AND 1024
			AND code_path NOT GLOB '/*' AND instr(code_path, char(92)) = 0
			AND code_path NOT IN ('.', '..') AND code_path NOT GLOB '../*'),
	memory_size         INTEGER NOT NULL
		CONSTRAINT function_memory_size CHECK (memory_size BETWEEN 128 AND 10240),
	timeout             INTEGER NOT NULL
		CONSTRAINT function_timeout CHECK (timeout BETWEEN 1 AND 900),
	-- The retention periods CloudWatch Logs accepts.
	log_retention_days  INTEGER NOT NULL
		CONSTRAINT function_log_retention_days CHECK (log_retention_days IN (1, 3, 5, 7, 14, 30, 60, 90,
			120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)),
	log_deletion_policy TEXT NOT NULL
		CONSTRAINT function_log_deletion_policy CHECK (log_deletion_policy IN ('Retain', 'Delete')),
	PRIMARY KEY (stack_id, id),
	FOREIGN KEY (stack_id, id, kind) REFERENCES nodes (stack_id, id, kind) ON DELETE CASCADE
) WITHOUT ROWID;

-- A function's environment variables; their order does not matter.
CREATE TABLE function_env (
	stack_id    INTEGER NOT NULL,
	function_id TEXT NOT NULL,
	-- A letter first, then letters, digits and _; not one Lambda reserves.
	name        TEXT NOT NULL
		CONSTRAINT function_env_name CHECK (name GLOB '[A-Za-z]*' AND name NOT GLOB '*[^A-Za-z0-9_]*'
			AND upper(name) NOT GLOB 'AWS_*'
			AND name NOT IN ('_HANDLER', '_X_AMZN_TRACE_ID', 'LAMBDA_TASK_ROOT', 'LAMBDA_RUNTIME_DIR')),
	value       TEXT NOT NULL,
	PRIMARY KEY (stack_id, function_id, name),
	FOREIGN KEY (stack_id, function_id) REFERENCES functions (stack_id, id) ON DELETE CASCADE
) WITHOUT ROWID;

-- DynamoDB tables; "tables" alone reads badly in SQL.
CREATE TABLE dynamo_tables (
	stack_id        INTEGER NOT NULL,
	id              TEXT NOT NULL,
	kind            TEXT NOT NULL DEFAULT 'table' CHECK (kind = 'table'),
	pk_name         TEXT NOT NULL
		CONSTRAINT table_partition_key_name CHECK (length(pk_name) BETWEEN 1 AND 255 AND pk_name = trim(pk_name)),
	pk_type         TEXT NOT NULL CONSTRAINT table_partition_key_type CHECK (pk_type IN ('S', 'N', 'B')),
	-- The sort key is optional: both columns or neither.
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
	CONSTRAINT table_sort_key CHECK ((sk_name IS NULL) = (sk_type IS NULL)),
	-- On-demand tables take no capacity; provisioned ones take 1 to 40000
	-- units each way.
	CONSTRAINT table_billing_mode CHECK (
		(billing_mode = 'PAY_PER_REQUEST' AND read_capacity = 0 AND write_capacity = 0)
		OR (billing_mode = 'PROVISIONED' AND read_capacity BETWEEN 1 AND 40000
			AND write_capacity BETWEEN 1 AND 40000)),
	PRIMARY KEY (stack_id, id),
	FOREIGN KEY (stack_id, id, kind) REFERENCES nodes (stack_id, id, kind) ON DELETE CASCADE
) WITHOUT ROWID;

-- A wire's ends must exist and be of the kind its kind requires. An
-- integration wire starts at a route (from_route); every other wire starts at
-- a function (from_node, whose kind from_kind pins to 'function'). The end
-- is a node whose kind to_kind must be the one the wire kind requires. A
-- composite foreign key with a NULL column is not checked, which is what lets
-- exactly one of from_route and from_node apply.
CREATE TABLE wires (
	stack_id   INTEGER NOT NULL,
	id         TEXT NOT NULL CONSTRAINT wire_id CHECK (id <> ''),
	ordinal    INTEGER NOT NULL,
	kind       TEXT NOT NULL
		CONSTRAINT wire_kind CHECK (kind IN ('integration', 'read', 'read-write', 'send', 'authorizer')),
	from_route TEXT,
	from_node  TEXT,
	from_kind  TEXT NOT NULL DEFAULT 'function' CHECK (from_kind = 'function'),
	to_id      TEXT NOT NULL,
	to_kind    TEXT NOT NULL
		CONSTRAINT wire_to_kind CHECK (to_kind = CASE kind
			WHEN 'integration' THEN 'function'
			WHEN 'read' THEN 'table'
			WHEN 'read-write' THEN 'table'
			ELSE 'api' END),
	-- Where the wire starts, whichever kind of thing that is.
	from_id    TEXT GENERATED ALWAYS AS (coalesce(from_route, from_node)) VIRTUAL,
	CONSTRAINT wire_from CHECK (CASE kind WHEN 'integration'
		THEN from_route IS NOT NULL AND from_node IS NULL
		ELSE from_node IS NOT NULL AND from_route IS NULL END),
	PRIMARY KEY (stack_id, id),
	FOREIGN KEY (stack_id, from_route) REFERENCES routes (stack_id, id) ON DELETE CASCADE,
	FOREIGN KEY (stack_id, from_node, from_kind) REFERENCES nodes (stack_id, id, kind) ON DELETE CASCADE,
	FOREIGN KEY (stack_id, to_id, to_kind) REFERENCES nodes (stack_id, id, kind) ON DELETE CASCADE
);

-- Two things are wired at most once, whatever the kind.
CREATE UNIQUE INDEX wires_ends ON wires (stack_id, from_id, to_id);
-- A route invokes one function.
CREATE UNIQUE INDEX wires_one_handler ON wires (stack_id, from_route) WHERE kind = 'integration';
-- An API has one authorizer function.
CREATE UNIQUE INDEX wires_one_authorizer ON wires (stack_id, to_id) WHERE kind = 'authorizer';
-- Foreign key lookups when a node is deleted.
CREATE INDEX wires_from_route ON wires (stack_id, from_route);
CREATE INDEX wires_from_node ON wires (stack_id, from_node, from_kind);
CREATE INDEX wires_to ON wires (stack_id, to_id, to_kind);
