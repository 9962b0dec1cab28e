-- Up Migration
-- index_keys is read two ways: by key (find, list by index, the unique check) and by document (the keys a
-- write replaces, the cascade of a delete). The two indexes now start with different columns, so neither
-- lookup can use the other's index. With only `collection` in common, a planner without statistics (a
-- fresh database, or a generic plan made while the table was small; the machine's server runs without
-- autovacuum) took the primary key for the by-document lookup and read every key of the collection on
-- each indexed write: 123 buffers and 1.2 ms of executor time per write after 1,500 logins, growing.

ALTER TABLE index_keys DROP CONSTRAINT index_keys_pkey;
ALTER TABLE index_keys ADD PRIMARY KEY (id, collection, index_name, key);
DROP INDEX index_keys_by_document;
CREATE INDEX index_keys_by_key ON index_keys (index_name, key, collection, id);

-- Down Migration
DROP INDEX index_keys_by_key;
CREATE INDEX index_keys_by_document ON index_keys (collection, id);
ALTER TABLE index_keys DROP CONSTRAINT index_keys_pkey;
ALTER TABLE index_keys ADD PRIMARY KEY (collection, index_name, key, id);
