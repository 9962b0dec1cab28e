-- Up Migration
-- The impact report's aggregate (Store.tallyUsage, src/store/usage-tally.ts says what it counts) reads a
-- narrow row per shop-usage summary (src/events/shop-usage.ts) instead of its JSON document: the shop, its
-- last sign-in there, the methods used there (in the summary's order), the ways the account holds (method →
-- since; NULL in a summary written before they were kept), and each used method's sign-ins as suffix sums
-- by day: with width = count_to - count_from + 1 (the days its counts span, NULL when none),
-- sign_ins_from[(i - 1) * width + k] = sign-ins with used[i] on day count_from + k - 1 or later, so
-- "sign-ins since day X" is one subscript, not a walk over the days. A trigger on documents writes the row in the same
-- statement (so the same transaction) as the summary — every write path (create, put, update, batch,
-- load, delete, expiry sweep) keeps it and it never drifts; the WHEN clause keeps the other collections'
-- writes free of it. Existing summaries are copied in below.

CREATE TABLE shop_usage_facts (
  id text COLLATE "C" PRIMARY KEY,
  partner text COLLATE "C" NOT NULL,
  last_at bigint NOT NULL,
  expires_at bigint,
  used text[] NOT NULL,
  ways jsonb,
  count_from integer,
  count_to integer,
  sign_ins_from integer[]
);

CREATE INDEX shop_usage_facts_partner ON shop_usage_facts (partner, last_at);
-- The few summaries without ways, which the report reads whole.
CREATE INDEX shop_usage_facts_unlisted ON shop_usage_facts (partner, last_at) WHERE ways IS NULL;

CREATE FUNCTION denglu_shop_usage_facts() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  methods jsonb;
  keys text[];
  days jsonb;
  lo integer;
  hi integer;
  width integer;
  base integer;
  grid integer[];
  j integer;
  i integer;
BEGIN
  IF TG_OP = 'DELETE' THEN
    DELETE FROM shop_usage_facts WHERE id = OLD.id;
    RETURN NULL;
  END IF;
  -- The methods in the summary's order; the days of them all span lo .. hi; then each method's row of the
  -- grid (width days) is filled with its per-day counts and turned into suffix sums, in place.
  methods := coalesce((NEW.doc -> 'methods')::jsonb, '{}'::jsonb);
  keys := ARRAY(SELECT json_object_keys(coalesce(NEW.doc -> 'methods', '{}'::json)));
  FOR j IN 1 .. coalesce(array_length(keys, 1), 0) LOOP
    days := methods -> keys[j] -> 'days';
    FOR i IN 0 .. jsonb_array_length(days) - 1 LOOP
      lo := least(lo, (days -> i ->> 0)::integer);
      hi := greatest(hi, (days -> i ->> 0)::integer);
    END LOOP;
  END LOOP;
  IF lo IS NOT NULL THEN
    width := hi - lo + 1;
    grid := array_fill(0, ARRAY[width * array_length(keys, 1)]);
    FOR j IN 1 .. array_length(keys, 1) LOOP
      days := methods -> keys[j] -> 'days';
      base := (j - 1) * width - lo + 1;
      FOR i IN 0 .. jsonb_array_length(days) - 1 LOOP
        grid[base + (days -> i ->> 0)::integer] := (days -> i ->> 1)::integer;
      END LOOP;
      base := (j - 1) * width;
      FOR i IN REVERSE width - 1 .. 1 LOOP
        grid[base + i] := grid[base + i] + grid[base + i + 1];
      END LOOP;
    END LOOP;
  END IF;
  INSERT INTO shop_usage_facts (id, partner, last_at, expires_at, used, ways, count_from, count_to, sign_ins_from)
    VALUES (NEW.id, NEW.doc ->> 'partner', (NEW.doc ->> 'lastAt')::bigint, NEW.expires_at, keys, (NEW.doc -> 'ways')::jsonb, lo, hi, grid)
  ON CONFLICT (id) DO UPDATE SET partner = excluded.partner, last_at = excluded.last_at, expires_at = excluded.expires_at,
    used = excluded.used, ways = excluded.ways, count_from = excluded.count_from, count_to = excluded.count_to, sign_ins_from = excluded.sign_ins_from;
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
