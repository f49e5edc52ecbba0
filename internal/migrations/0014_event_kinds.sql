-- switchboard: foreign_keys off
-- EventBridge buses and rules, S3 buckets and Kinesis streams
-- (model.Bus, Rule, Bucket, Stream), routes integrated straight with a
-- stream (PutRecord) or a bus (PutEvents), and the wires between them:
-- bus → rule (match), rule → function (trigger), rule → queue (deliver),
-- bucket → function (notify).
--
-- nodes and wires are rebuilt as in 0013: SQLite cannot widen a CHECK in
-- place.

CREATE TABLE new_nodes (
	stack_id     INTEGER NOT NULL REFERENCES stacks (id) ON DELETE CASCADE,
	id           TEXT NOT NULL
		CONSTRAINT node_id CHECK (length(id) BETWEEN 1 AND 64 AND length(CAST(id AS BLOB)) = length(id)
			AND id GLOB '[A-Za-z]*' AND id NOT GLOB '*[^A-Za-z0-9_-]*'),
	kind         TEXT NOT NULL
		CONSTRAINT node_kind CHECK (kind IN ('api', 'function', 'table', 'queue', 'topic', 'statemachine',
			'bus', 'rule', 'bucket', 'stream')),
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
			'consume', 'subscribe', 'dead-letter', 'stream',
			'put-record', 'put-events', 'match', 'trigger', 'deliver', 'notify')),
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
		CONSTRAINT wire_from_kind CHECK (from_kind IN ('function', 'queue', 'topic', 'table', 'bus', 'rule', 'bucket')),
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
			WHEN 'put-record' THEN 'stream'
			WHEN 'put-events' THEN 'bus'
			WHEN 'match' THEN 'rule'
			WHEN 'trigger' THEN 'function'
			WHEN 'deliver' THEN 'queue'
			WHEN 'notify' THEN 'function'
			ELSE 'api' END),
	from_id    TEXT GENERATED ALWAYS AS (coalesce(from_route, from_node)) VIRTUAL,
	CONSTRAINT wire_from CHECK (CASE WHEN kind IN ('integration', 'send-message', 'publish',
			'start-execution', 'start-sync-execution', 'put-item', 'put-record', 'put-events')
		THEN from_route IS NOT NULL AND from_node IS NULL
		ELSE from_node IS NOT NULL AND from_route IS NULL AND from_kind = CASE kind
			WHEN 'consume' THEN 'queue'
			WHEN 'dead-letter' THEN 'queue'
			WHEN 'subscribe' THEN 'topic'
			WHEN 'stream' THEN 'table'
			WHEN 'match' THEN 'bus'
			WHEN 'trigger' THEN 'rule'
			WHEN 'deliver' THEN 'rule'
			WHEN 'notify' THEN 'bucket'
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

CREATE TABLE buses (
	stack_id INTEGER NOT NULL,
	id       TEXT NOT NULL,
	kind     TEXT NOT NULL DEFAULT 'bus' CHECK (kind = 'bus'),
	kept     TEXT NOT NULL DEFAULT '[]'
		CONSTRAINT bus_kept CHECK (json_valid(kept) AND json_type(kept) = 'array'),
	PRIMARY KEY (stack_id, id),
	FOREIGN KEY (stack_id, id, kind) REFERENCES nodes (stack_id, id, kind) ON DELETE CASCADE
) WITHOUT ROWID;

CREATE TABLE rules (
	stack_id      INTEGER NOT NULL,
	id            TEXT NOT NULL,
	kind          TEXT NOT NULL DEFAULT 'rule' CHECK (kind = 'rule'),
	description   TEXT NOT NULL DEFAULT ''
		CONSTRAINT rule_description CHECK (length(description) <= 512),
	event_pattern TEXT NOT NULL DEFAULT ''
		CONSTRAINT rule_event_pattern CHECK (event_pattern = ''
			OR (json_valid(event_pattern) AND json_type(event_pattern) = 'object')),
	schedule      TEXT NOT NULL DEFAULT ''
		CONSTRAINT rule_schedule CHECK (schedule = '' OR ((schedule GLOB 'rate(*)' OR schedule GLOB 'cron(*)')
			AND length(schedule) <= 256)),
	disabled      INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
	kept          TEXT NOT NULL DEFAULT '[]'
		CONSTRAINT rule_kept CHECK (json_valid(kept) AND json_type(kept) = 'array'),
	PRIMARY KEY (stack_id, id),
	FOREIGN KEY (stack_id, id, kind) REFERENCES nodes (stack_id, id, kind) ON DELETE CASCADE
) WITHOUT ROWID;

CREATE TABLE buckets (
	stack_id        INTEGER NOT NULL,
	id              TEXT NOT NULL,
	kind            TEXT NOT NULL DEFAULT 'bucket' CHECK (kind = 'bucket'),
	bucket_name     TEXT NOT NULL DEFAULT ''
		CONSTRAINT bucket_name CHECK (bucket_name = '' OR (length(bucket_name) BETWEEN 3 AND 50
			AND bucket_name NOT GLOB '*[^a-z0-9.-]*')),
	versioned       INTEGER NOT NULL DEFAULT 0 CHECK (versioned IN (0, 1)),
	events          TEXT NOT NULL DEFAULT '[]'
		CONSTRAINT bucket_events CHECK (json_valid(events) AND json_type(events) = 'array'),
	deletion_policy TEXT NOT NULL
		CONSTRAINT bucket_deletion_policy CHECK (deletion_policy IN ('Retain', 'Delete')),
	kept            TEXT NOT NULL DEFAULT '[]'
		CONSTRAINT bucket_kept CHECK (json_valid(kept) AND json_type(kept) = 'array'),
	PRIMARY KEY (stack_id, id),
	FOREIGN KEY (stack_id, id, kind) REFERENCES nodes (stack_id, id, kind) ON DELETE CASCADE
) WITHOUT ROWID;

CREATE TABLE streams (
	stack_id        INTEGER NOT NULL,
	id              TEXT NOT NULL,
	kind            TEXT NOT NULL DEFAULT 'stream' CHECK (kind = 'stream'),
	on_demand       INTEGER NOT NULL DEFAULT 0 CHECK (on_demand IN (0, 1)),
	shard_count     INTEGER NOT NULL
		CONSTRAINT stream_shard_count CHECK (CASE WHEN on_demand = 1 THEN shard_count = 0
			ELSE shard_count BETWEEN 1 AND 10000 END),
	retention_hours INTEGER NOT NULL
		CONSTRAINT stream_retention_hours CHECK (retention_hours BETWEEN 24 AND 8760),
	kept            TEXT NOT NULL DEFAULT '[]'
		CONSTRAINT stream_kept CHECK (json_valid(kept) AND json_type(kept) = 'array'),
	PRIMARY KEY (stack_id, id),
	FOREIGN KEY (stack_id, id, kind) REFERENCES nodes (stack_id, id, kind) ON DELETE CASCADE
) WITHOUT ROWID;
