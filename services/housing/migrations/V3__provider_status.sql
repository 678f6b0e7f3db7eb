-- The read contract with the lookup's hirer check: the buildings a provider (an agency
-- that houses its workers) offers, and whether each is certified now.
create view provider_status as
select provider_kvk, bag_id, street, number, addition, postcode, place, mark_status, mark_valid_until, mark_since,
       (mark_status = 'certified' and mark_valid_until > now()) as certified
from building;
