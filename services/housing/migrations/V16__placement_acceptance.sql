-- A placement needs the building's side too (issue 32): the agency records it, and until
-- the building's housing provider accepts it (or a housing inspector confirms it) it gives
-- nobody a right to read the building — the agency's certification body in particular.
-- The agency's standing counts it from the start all the same: a placement is a statement
-- against the agency's own interest (its standing follows the building's mark).
alter table placement add column accepted_at timestamptz, add column accepted_by text;

-- A building the agency itself provides needs no one else's word.
update placement p set accepted_at = p.recorded_at, accepted_by = p.recorded_by
from building b where b.bag_id = p.bag_id and b.provider_kvk = p.kvk_number;
