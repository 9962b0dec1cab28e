-- Up Migration
-- The impact report's aggregate (Store.tallyUsage, src/store/usage-tally.ts says what it counts) reads a
-- narrow row per shop-usage summary (src/events/shop-usage.ts) instead of its JSON document: the shop, its
-- last sign-in there, the methods used there, the ways the account holds (method → since; NULL in a summary
-- written before they were kept) and each method's successful sign-ins per day, flattened into three
-- parallel arrays. A trigger on documents writes the row in the same statement (so the same transaction) as
-- the summary itself — every write path (create, put, update, batch, load, delete, expiry sweep) keeps it,
-- and it never drifts; the WHEN clause keeps the other collections' writes free of it. Existing summaries
-- are copied in below.

CREATE TABLE shop_usage_facts (
  id text COLLATE "C" PRIMARY KEY,
  partner text COLLATE "C" NOT NULL,
  last_at bigint NOT NULL,
  expires_at bigint,
  used text[] NOT NULL,
  ways jsonb,
  count_methods text[] NOT NULL,
  count_days integer[] NOT NULL,
  count_n integer[] NOT NULL
);

CREATE INDEX shop_usage_facts_partner ON shop_usage_facts (partner, last_at);

CREATE FUNCTION denglu_shop_usage_facts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    DELETE FROM shop_usage_facts WHERE id = OLD.id;
    RETURN NULL;
  END IF;
  INSERT INTO shop_usage_facts AS f (id, partner, last_at, expires_at, used, ways, count_methods, count_days, count_n)
    SELECT NEW.id, NEW.doc ->> 'partner', (NEW.doc ->> 'lastAt')::bigint, NEW.expires_at,
           ARRAY(SELECT json_object_keys(coalesce(NEW.doc -> 'methods', '{}'::json))),
           (NEW.doc -> 'ways')::jsonb,
           coalesce(array_agg(c.method), '{}'), coalesce(array_agg(c.day), '{}'), coalesce(array_agg(c.n), '{}')
      FROM (SELECT m.key AS method, (d.value ->> 0)::integer AS day, (d.value ->> 1)::integer AS n
              FROM json_each(coalesce(NEW.doc -> 'methods', '{}'::json)) AS m,
                   json_array_elements(m.value -> 'days') AS d) AS c
  ON CONFLICT (id) DO UPDATE SET partner = excluded.partner, last_at = excluded.last_at, expires_at = excluded.expires_at,
    used = excluded.used, ways = excluded.ways, count_methods = excluded.count_methods, count_days = excluded.count_days,
    count_n = excluded.count_n;
  RETURN NULL;
END $$;

CREATE TRIGGER documents_shop_usage_facts AFTER INSERT OR UPDATE ON documents
  FOR EACH ROW WHEN (NEW.collection = 'shop_usage') EXECUTE FUNCTION denglu_shop_usage_facts();
CREATE TRIGGER documents_shop_usage_facts_gone AFTER DELETE ON documents
  FOR EACH ROW WHEN (OLD.collection = 'shop_usage') EXECUTE FUNCTION denglu_shop_usage_facts();

-- Summaries written before this migration: the trigger's row for each (an update that changes nothing).
UPDATE documents SET expires_at = expires_at WHERE collection = 'shop_usage';

-- Down Migration
DROP TRIGGER documents_shop_usage_facts_gone ON documents;
DROP TRIGGER documents_shop_usage_facts ON documents;
DROP FUNCTION denglu_shop_usage_facts();
DROP TABLE shop_usage_facts;
