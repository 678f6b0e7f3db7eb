-- The agencies' standing reads each of its buildings' verdict by that building alone (a
-- correlated read of `building_status` by its subject): joined as a view, the planner
-- judged every building in the country for each hirer check and each certificate seal
-- (found by `just bench`: 9 ms for an agency among 20,000 buildings, linear in the
-- country's housing). Same columns and meaning as V12.
create or replace view agency_buildings as
select a.kvk_number, b.bag_id, b.mark_status, b.mark_valid_until, b.mark_since,
       coalesce((select bs.status = 'good' from building_status bs where bs.subject = b.bag_id), false) as certified
from building b
join (select provider_kvk as kvk_number, bag_id from building
      union
      select kvk_number, bag_id from placement
      where from_on <= dutch_today() and (to_on is null or to_on >= dutch_today())) a
  on a.bag_id = b.bag_id;
