-- Up Migration
-- Denglu's store on PostgreSQL: every collection is rows of one generic document table, and every
-- secondary index key a row of index_keys, written in the same transaction as its document. The partial
-- unique index makes unique keys (identities, verified emails, phone numbers, client ids) a guarantee of
-- the database. Ids and keys sort bytewise (COLLATE "C"), as the embedded store sorts them.
-- doc is json, not jsonb: kept as written (key order included, as the embedded store keeps it) and never
-- queried inside, so PostgreSQL neither converts it on the way in nor re-serialises it on the way out.
-- expires_at is epoch milliseconds on the gateway's clock (never the database's now()).

CREATE TABLE documents (
  collection text COLLATE "C" NOT NULL,
  id text COLLATE "C" NOT NULL,
  doc json NOT NULL,
  expires_at bigint,
  PRIMARY KEY (collection, id)
);

CREATE INDEX documents_expiring ON documents (expires_at) WHERE expires_at IS NOT NULL;

CREATE TABLE index_keys (
  collection text COLLATE "C" NOT NULL,
  index_name text COLLATE "C" NOT NULL,
  key text COLLATE "C" NOT NULL,
  id text COLLATE "C" NOT NULL,
  is_unique boolean NOT NULL,
  PRIMARY KEY (collection, index_name, key, id),
  FOREIGN KEY (collection, id) REFERENCES documents (collection, id) ON DELETE CASCADE
);

CREATE UNIQUE INDEX index_keys_unique ON index_keys (collection, index_name, key) WHERE is_unique;
CREATE INDEX index_keys_by_document ON index_keys (collection, id);

-- Down Migration
DROP TABLE index_keys;
DROP TABLE documents;
