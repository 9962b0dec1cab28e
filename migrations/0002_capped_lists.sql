-- Up Migration
-- Capped lists (src/store/capped-list.ts says what they are; Store.addToList / removeFromList): a
-- document {"entries": [{"key", "expiresAt"}, …]} oldest first. These functions are the same decision as
-- addToCappedList and removeFromCappedList, run inside the one INSERT … ON CONFLICT DO UPDATE (or UPDATE)
-- that writes the document, so concurrent adders on any instance see each other's entries under the row
-- lock and never exceed the cap, in one round trip. denglu_list_add answers in the document it returns:
-- "added" (false: refused, the list was full) and "dropped" (the oldest entries it let go); the store
-- strips both before handing the answer on.

CREATE FUNCTION denglu_list_add(cur jsonb, entry jsonb, now_ms bigint, cap integer, drop_oldest boolean)
RETURNS jsonb LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  live jsonb;
  n integer;
  past integer;
BEGIN
  SELECT coalesce(jsonb_agg(e ORDER BY ord), '[]'::jsonb) INTO live
    FROM jsonb_array_elements(coalesce(cur -> 'entries', '[]'::jsonb)) WITH ORDINALITY AS x(e, ord)
    WHERE (e ->> 'expiresAt')::numeric > now_ms;
  n := jsonb_array_length(live);
  IF n >= cap AND NOT drop_oldest THEN
    RETURN jsonb_build_object('entries', live, 'added', false, 'dropped', '[]'::jsonb);
  END IF;
  past := greatest(0, n - cap + 1);
  RETURN jsonb_build_object(
    'entries', (SELECT coalesce(jsonb_agg(e ORDER BY ord), '[]'::jsonb) FROM jsonb_array_elements(live) WITH ORDINALITY AS x(e, ord) WHERE ord > past)
      || jsonb_build_array(entry),
    'added', true,
    'dropped', (SELECT coalesce(jsonb_agg(e ORDER BY ord), '[]'::jsonb) FROM jsonb_array_elements(live) WITH ORDINALITY AS x(e, ord) WHERE ord <= past));
END $$;

CREATE FUNCTION denglu_list_remove(cur jsonb, entry_key text)
RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
  SELECT jsonb_build_object('entries', coalesce(jsonb_agg(e ORDER BY ord), '[]'::jsonb))
    FROM jsonb_array_elements(coalesce(cur -> 'entries', '[]'::jsonb)) WITH ORDINALITY AS x(e, ord)
    WHERE e ->> 'key' IS DISTINCT FROM entry_key
$$;

-- Down Migration
DROP FUNCTION denglu_list_remove(jsonb, text);
DROP FUNCTION denglu_list_add(jsonb, jsonb, bigint, integer, boolean);
