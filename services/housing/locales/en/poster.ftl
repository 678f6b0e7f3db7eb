# The words on the A4 poster at the door of a certified building.
poster-scan = Scan to check whether this building is certified
poster-capacity = Max. { $capacity } people  ·  BAG { $bag }
