-- The stacks page lists stacks by name, ignoring case, a page at a time
-- (store.ListStacks); this index serves that order and its keyset seeks
-- without sorting every stack for every page.
CREATE INDEX stacks_name_nocase ON stacks (name COLLATE NOCASE, name);
