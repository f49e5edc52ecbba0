-- switchboard: foreign_keys off
-- Wires from a function to the services it calls (model.Grant): send to a
-- queue, publish to a topic, put events on a bus, start a state machine,
-- read or read-write a bucket, put records on a stream.
--
-- wires is rebuilt as in 0015, every earlier kind kept: SQLite cannot widen
-- a CHECK in place. nodes is unchanged, but its triggers name wires and go
-- with it while the tables are swapped.

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
			'put-record', 'put-events', 'match', 'trigger', 'deliver', 'notify',
			'layer', 'usage-plan', 'api-mapping',
			'send-to-queue', 'publish-to-topic', 'put-events-on-bus', 'start-machine',
			'bucket-read', 'bucket-read-write', 'put-records')),
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
		CONSTRAINT wire_from_kind CHECK (from_kind IN ('function', 'queue', 'topic', 'table', 'bus', 'rule', 'bucket', 'usageplan', 'domain')),
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
			WHEN 'layer' THEN 'layer'
			WHEN 'send-to-queue' THEN 'queue'
			WHEN 'publish-to-topic' THEN 'topic'
			WHEN 'put-events-on-bus' THEN 'bus'
			WHEN 'start-machine' THEN 'statemachine'
			WHEN 'bucket-read' THEN 'bucket'
			WHEN 'bucket-read-write' THEN 'bucket'
			WHEN 'put-records' THEN 'stream'
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
			WHEN 'usage-plan' THEN 'usageplan'
			WHEN 'api-mapping' THEN 'domain'
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
DROP TRIGGER nodes_id_insert;
DROP TRIGGER nodes_id_update;
DROP TABLE wires;
ALTER TABLE new_wires RENAME TO wires;

CREATE UNIQUE INDEX wires_ends ON wires (stack_id, from_id, to_id);
-- A route has one integration, whatever it reaches.
CREATE UNIQUE INDEX wires_one_handler ON wires (stack_id, from_route) WHERE from_route IS NOT NULL;
CREATE UNIQUE INDEX wires_one_authorizer ON wires (stack_id, to_id) WHERE kind = 'authorizer';
CREATE INDEX wires_from_route ON wires (stack_id, from_route);
CREATE INDEX wires_from_node ON wires (stack_id, from_node, from_kind);
CREATE INDEX wires_to ON wires (stack_id, to_id, to_kind);

-- As in 0003, 0007 and 0013: one ID space per stack across nodes, routes and
-- wires; the triggers of the rebuilt table went with it.
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

