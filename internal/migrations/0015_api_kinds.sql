-- switchboard: foreign_keys off
-- Lambda layers, usage plans with their API keys, and custom domains
-- (model.Layer, UsagePlan, Domain), with the wires that give a function a
-- layer, apply a usage plan to an API's stage and map a domain to an API.
--
-- nodes and wires are rebuilt as in 0013 (keeping 0014's kinds and wires):
-- SQLite cannot widen a CHECK in
-- place.

CREATE TABLE new_nodes (
	stack_id     INTEGER NOT NULL REFERENCES stacks (id) ON DELETE CASCADE,
	id           TEXT NOT NULL
		CONSTRAINT node_id CHECK (length(id) BETWEEN 1 AND 64 AND length(CAST(id AS BLOB)) = length(id)
			AND id GLOB '[A-Za-z]*' AND id NOT GLOB '*[^A-Za-z0-9_-]*'),
	kind         TEXT NOT NULL
		CONSTRAINT node_kind CHECK (kind IN ('api', 'function', 'table', 'queue', 'topic', 'statemachine',
			'bus', 'rule', 'bucket', 'stream', 'layer', 'usageplan', 'domain')),
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
			'put-record', 'put-events', 'match', 'trigger', 'deliver', 'notify',
			'layer', 'usage-plan', 'api-mapping')),
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

-- As in 0003, 0007 and 0013: one ID space per stack across nodes, routes and
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

CREATE TABLE layers (
	stack_id            INTEGER NOT NULL,
	id                  TEXT NOT NULL,
	kind                TEXT NOT NULL DEFAULT 'layer' CHECK (kind = 'layer'),
	description         TEXT NOT NULL DEFAULT ''
		CONSTRAINT layer_description CHECK (length(description) <= 256),
	content_path        TEXT NOT NULL
		CONSTRAINT layer_content_path CHECK (length(content_path) BETWEEN 1 AND 1024),
	compatible_runtimes TEXT NOT NULL DEFAULT '[]'
		CONSTRAINT layer_compatible_runtimes CHECK (json_valid(compatible_runtimes)
			AND json_type(compatible_runtimes) = 'array' AND json_array_length(compatible_runtimes) <= 15),
	kept                TEXT NOT NULL DEFAULT '[]'
		CONSTRAINT layer_kept CHECK (json_valid(kept) AND json_type(kept) = 'array'),
	PRIMARY KEY (stack_id, id),
	FOREIGN KEY (stack_id, id, kind) REFERENCES nodes (stack_id, id, kind) ON DELETE CASCADE
) WITHOUT ROWID;

CREATE TABLE usage_plans (
	stack_id       INTEGER NOT NULL,
	id             TEXT NOT NULL,
	kind           TEXT NOT NULL DEFAULT 'usageplan' CHECK (kind = 'usageplan'),
	description    TEXT NOT NULL DEFAULT '',
	throttle_burst INTEGER NOT NULL DEFAULT 0 CONSTRAINT usage_plan_throttle_burst CHECK (throttle_burst >= 0),
	throttle_rate  REAL NOT NULL DEFAULT 0 CONSTRAINT usage_plan_throttle_rate CHECK (throttle_rate >= 0),
	quota_limit    INTEGER NOT NULL DEFAULT 0 CONSTRAINT usage_plan_quota_limit CHECK (quota_limit >= 0),
	quota_period   TEXT NOT NULL DEFAULT ''
		CONSTRAINT usage_plan_quota_period CHECK (quota_period IN ('', 'DAY', 'WEEK', 'MONTH')),
	quota_offset   INTEGER NOT NULL DEFAULT 0 CONSTRAINT usage_plan_quota_offset CHECK (quota_offset BETWEEN 0 AND 27),
	-- The plan's API keys (model.APIKey), in order, as JSON.
	api_keys       TEXT NOT NULL DEFAULT '[]'
		CONSTRAINT usage_plan_api_keys CHECK (json_valid(api_keys) AND json_type(api_keys) = 'array'),
	kept           TEXT NOT NULL DEFAULT '[]'
		CONSTRAINT usage_plan_kept CHECK (json_valid(kept) AND json_type(kept) = 'array'),
	PRIMARY KEY (stack_id, id),
	FOREIGN KEY (stack_id, id, kind) REFERENCES nodes (stack_id, id, kind) ON DELETE CASCADE
) WITHOUT ROWID;

CREATE TABLE domains (
	stack_id              INTEGER NOT NULL,
	id                    TEXT NOT NULL,
	kind                  TEXT NOT NULL DEFAULT 'domain' CHECK (kind = 'domain'),
	domain_name           TEXT NOT NULL CONSTRAINT domain_name CHECK (length(domain_name) <= 253),
	certificate_parameter TEXT NOT NULL
		CONSTRAINT domain_certificate_parameter CHECK (length(certificate_parameter) <= 255),
	security_policy       TEXT NOT NULL CONSTRAINT domain_security_policy CHECK (security_policy IN ('TLS_1_2')),
	mapping_key           TEXT NOT NULL DEFAULT ''
		CONSTRAINT domain_mapping_key CHECK (length(mapping_key) <= 1024),
	kept                  TEXT NOT NULL DEFAULT '[]'
		CONSTRAINT domain_kept CHECK (json_valid(kept) AND json_type(kept) = 'array'),
	PRIMARY KEY (stack_id, id),
	FOREIGN KEY (stack_id, id, kind) REFERENCES nodes (stack_id, id, kind) ON DELETE CASCADE
) WITHOUT ROWID;
