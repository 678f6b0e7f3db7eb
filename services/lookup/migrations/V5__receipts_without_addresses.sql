-- A receipt is shown to whoever holds its code: the buildings an agency houses workers in
-- are kept by their mark only, never by where they are (BAG id or address). Receipts made
-- before this release lose those two fields; what they prove (may_hire, each part's
-- status, each building's mark) stays as it was.
update receipt
   set result = jsonb_set(
           result,
           '{parts,housing,detail,buildings}',
           (select coalesce(jsonb_agg(b - 'bag_id' - 'address'), '[]'::jsonb)
              from jsonb_array_elements(result #> '{parts,housing,detail,buildings}') b))
 where jsonb_typeof(result #> '{parts,housing,detail,buildings}') = 'array';
