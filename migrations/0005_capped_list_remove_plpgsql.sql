-- Up Migration
-- denglu_list_remove (migrations/0002_capped_lists.sql) in plpgsql, same decision: a LANGUAGE sql function
-- that cannot be inlined (it aggregates) is parsed and planned again on every call on PostgreSQL 15,
-- where plpgsql keeps the plan of its query for the session.

CREATE OR REPLACE FUNCTION denglu_list_remove(cur jsonb, entry_key text)
RETURNS jsonb LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  RETURN jsonb_build_object('entries', (
    SELECT coalesce(jsonb_agg(e ORDER BY ord), '[]'::jsonb)
      FROM jsonb_array_elements(coalesce(cur -> 'entries', '[]'::jsonb)) WITH ORDINALITY AS x(e, ord)
      WHERE e ->> 'key' IS DISTINCT FROM entry_key));
END $$;

-- Down Migration
CREATE OR REPLACE FUNCTION denglu_list_remove(cur jsonb, entry_key text)
RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
  SELECT jsonb_build_object('entries', coalesce(jsonb_agg(e ORDER BY ord), '[]'::jsonb))
    FROM jsonb_array_elements(coalesce(cur -> 'entries', '[]'::jsonb)) WITH ORDINALITY AS x(e, ord)
    WHERE e ->> 'key' IS DISTINCT FROM entry_key
$$;
