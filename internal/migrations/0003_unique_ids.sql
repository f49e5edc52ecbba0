-- The model gives nodes, routes and wires one ID space per stack, so that an
-- ID alone names one thing (a wire's from may be a route or a node). Each
-- table's primary key keeps its own IDs apart; these triggers keep them
-- apart across the three tables, which no UNIQUE constraint can span.

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
