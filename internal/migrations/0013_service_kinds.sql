-- switchboard: foreign_keys off
-- Queues, topics and state machines (model.Queue, Topic, StateMachine),
-- routes integrated straight with them (and with tables), the wires that
-- let queues and topics trigger functions, and a route's integration
-- settings (model.Integration).
--
-- nodes and wires are rebuilt: SQLite cannot widen a CHECK in place. The
-- tables that reference nodes keep referencing it by name. A wire now
-- starts at a route (any route wire) or at a node whose kind from_kind
-- pins: a function, or a queue, topic or table (its stream) for the
-- event-source wires.

CREATE TABLE new_nodes (
	stack_id     INTEGER NOT NULL REFERENCES stacks (id) ON DELETE CASCADE,
	id           TEXT NOT NULL
		CONSTRAINT node_id CHECK (length(id) BETWEEN 1 AND 64 AND length(CAST(id AS BLOB)) = length(id)
			AND id GLOB '[A-Za-z]*' AND id NOT GLOB '*[^A-Za-z0-9_-]*'),
	kind         TEXT NOT NULL
		CONSTRAINT node_kind CHECK (kind IN ('api', 'function', 'table', 'queue', 'topic', 'statemachine')),
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

CREATE TABLE new_wires (
	stack_id   INTEGER NOT NULL,
	id         TEXT NOT NULL
		CONSTRAINT wire_id CHECK (length(id) BETWEEN 1 AND 64 AND length(CAST(id AS BLOB)) = length(id)
			AND id GLOB '[A-Za-z]*' AND id NOT GLOB '*[^A-Za-z0-9_-]*'),
	ordinal    INTEGER NOT NULL,
	kind       TEXT NOT NULL
		CONSTRAINT wire_kind CHECK (kind IN ('integration', 'read', 'read-write', 'send', 'authorizer',
			'send-message', 'publish', 'start-execution', 'start-sync-execution', 'put-item',
			'consume', 'subscribe', 'dead-letter', 'stream')),
	from_route TEXT
		CONSTRAINT wire_from_route CHECK (length(from_route) BETWEEN 1 AND 64
			AND length(CAST(from_route AS BLOB)) = length(from_route)
			AND from_route GLOB '[A-Za-z]*' AND from_route NOT GLOB '*[^A-Za-z0-9_-]*'),
	from_node  TEXT
		CONSTRAINT wire_from_node CHECK (length(from_node) BETWEEN 1 AND 64
			AND length(CAST(from_node AS BLOB)) = length(from_node)
			AND from_node GLOB '[A-Za-z]*' AND from_node NOT GLOB '*[^A-Za-z0-9_-]*'),
	-- The kind of the node the wire starts at; a route's wire keeps the
	-- default, unused (its from_node is NULL).
	from_kind  TEXT NOT NULL DEFAULT 'function'
		CONSTRAINT wire_from_kind CHECK (from_kind IN ('function', 'queue', 'topic', 'table')),
	to_id      TEXT NOT NULL
		CONSTRAINT wire_to_id CHECK (length(to_id) BETWEEN 1 AND 64 AND length(CAST(to_id AS BLOB)) = length(to_id)
			AND to_id GLOB '[A-Za-z]*' AND to_id NOT GLOB '*[^A-Za-z0-9_-]*'),
	to_kind    TEXT NOT NULL
		CONSTRAINT wire_to_kind CHECK (to_kind = CASE kind
			WHEN 'integration' THEN 'function'
			WHEN 'read' THEN 'table'
			WHEN 'read-write' THEN 'table'
			WHEN 'send-message' THEN 'queue'
			WHEN 'publish' THEN 'topic'
			WHEN 'start-execution' THEN 'statemachine'
			WHEN 'start-sync-execution' THEN 'statemachine'
			WHEN 'put-item' THEN 'table'
			WHEN 'consume' THEN 'function'
			WHEN 'subscribe' THEN 'function'
			WHEN 'dead-letter' THEN 'queue'
			WHEN 'stream' THEN 'function'
			ELSE 'api' END),
	from_id    TEXT GENERATED ALWAYS AS (coalesce(from_route, from_node)) VIRTUAL,
	CONSTRAINT wire_from CHECK (CASE WHEN kind IN ('integration', 'send-message', 'publish',
			'start-execution', 'start-sync-execution', 'put-item')
		THEN from_route IS NOT NULL AND from_node IS NULL
		ELSE from_node IS NOT NULL AND from_route IS NULL AND from_kind = CASE kind
			WHEN 'consume' THEN 'queue'
			WHEN 'dead-letter' THEN 'queue'
			WHEN 'subscribe' THEN 'topic'
			WHEN 'stream' THEN 'table'
			ELSE 'function' END END),
	PRIMARY KEY (stack_id, id),
	FOREIGN KEY (stack_id, from_route) REFERENCES routes (stack_id, id) ON DELETE CASCADE,
	FOREIGN KEY (stack_id, from_node, from_kind) REFERENCES nodes (stack_id, id, kind) ON DELETE CASCADE,
	FOREIGN KEY (stack_id, to_id, to_kind) REFERENCES nodes (stack_id, id, kind) ON DELETE CASCADE
);
INSERT INTO new_wires (rowid, stack_id, id, ordinal, kind, from_route, from_node, from_kind, to_id, to_kind)
	SELECT rowid, stack_id, id, ordinal, kind, from_route, from_node,
		from_kind, to_id, to_kind FROM wires;

-- The routes' triggers name nodes and wires, which a rename checks: they
-- go while the tables are swapped and come back below.
DROP TRIGGER routes_id_insert;
DROP TRIGGER routes_id_update;
DROP TABLE wires;
DROP TABLE nodes;
ALTER TABLE new_nodes RENAME TO nodes;
ALTER TABLE new_wires RENAME TO wires;

CREATE UNIQUE INDEX wires_ends ON wires (stack_id, from_id, to_id);
-- A route has one integration, whatever it reaches.
CREATE UNIQUE INDEX wires_one_handler ON wires (stack_id, from_route) WHERE from_route IS NOT NULL;
CREATE UNIQUE INDEX wires_one_authorizer ON wires (stack_id, to_id) WHERE kind = 'authorizer';
CREATE INDEX wires_from_route ON wires (stack_id, from_route);
CREATE INDEX wires_from_node ON wires (stack_id, from_node, from_kind);
CREATE INDEX wires_to ON wires (stack_id, to_id, to_kind);

-- As in 0003 and 0007: one ID space per stack across nodes, routes and
-- wires; the triggers of the rebuilt tables went with them.
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

-- A route's integration settings, as JSON (model.Integration); NULL for
-- the wire's default.
ALTER TABLE routes ADD COLUMN integration TEXT
	CONSTRAINT route_integration CHECK (integration IS NULL
		OR (json_valid(integration) AND json_type(integration) = 'object'));

CREATE TABLE queues (
	stack_id                    INTEGER NOT NULL,
	id                          TEXT NOT NULL,
	kind                        TEXT NOT NULL DEFAULT 'queue' CHECK (kind = 'queue'),
	fifo                        INTEGER NOT NULL DEFAULT 0 CHECK (fifo IN (0, 1)),
	content_based_deduplication INTEGER NOT NULL DEFAULT 0
		CONSTRAINT queue_deduplication CHECK (content_based_deduplication IN (0, 1)
			AND (content_based_deduplication = 0 OR fifo = 1)),
	visibility_timeout          INTEGER NOT NULL
		CONSTRAINT queue_visibility_timeout CHECK (visibility_timeout BETWEEN 0 AND 43200),
	retention_period            INTEGER NOT NULL
		CONSTRAINT queue_retention_period CHECK (retention_period BETWEEN 60 AND 1209600),
	max_receive_count           INTEGER NOT NULL
		CONSTRAINT queue_max_receive_count CHECK (max_receive_count BETWEEN 1 AND 1000),
	kept                        TEXT NOT NULL DEFAULT '[]'
		CONSTRAINT queue_kept CHECK (json_valid(kept) AND json_type(kept) = 'array'),
	PRIMARY KEY (stack_id, id),
	FOREIGN KEY (stack_id, id, kind) REFERENCES nodes (stack_id, id, kind) ON DELETE CASCADE
) WITHOUT ROWID;

CREATE TABLE topics (
	stack_id     INTEGER NOT NULL,
	id           TEXT NOT NULL,
	kind         TEXT NOT NULL DEFAULT 'topic' CHECK (kind = 'topic'),
	display_name TEXT NOT NULL DEFAULT ''
		CONSTRAINT topic_display_name CHECK (length(display_name) <= 100),
	fifo         INTEGER NOT NULL DEFAULT 0 CHECK (fifo IN (0, 1)),
	kept         TEXT NOT NULL DEFAULT '[]'
		CONSTRAINT topic_kept CHECK (json_valid(kept) AND json_type(kept) = 'array'),
	PRIMARY KEY (stack_id, id),
	FOREIGN KEY (stack_id, id, kind) REFERENCES nodes (stack_id, id, kind) ON DELETE CASCADE
) WITHOUT ROWID;

CREATE TABLE state_machines (
	stack_id        INTEGER NOT NULL,
	id              TEXT NOT NULL,
	kind            TEXT NOT NULL DEFAULT 'statemachine' CHECK (kind = 'statemachine'),
	type            TEXT NOT NULL CONSTRAINT state_machine_type CHECK (type IN ('STANDARD', 'EXPRESS')),
	definition      TEXT NOT NULL
		CONSTRAINT state_machine_definition CHECK (length(CAST(definition AS BLOB)) <= 1048576),
	definition_path TEXT NOT NULL
		CONSTRAINT state_machine_definition_path CHECK (length(definition_path) <= 1024),
	kept            TEXT NOT NULL DEFAULT '[]'
		CONSTRAINT state_machine_kept CHECK (json_valid(kept) AND json_type(kept) = 'array'),
	PRIMARY KEY (stack_id, id),
	FOREIGN KEY (stack_id, id, kind) REFERENCES nodes (stack_id, id, kind) ON DELETE CASCADE
) WITHOUT ROWID;
