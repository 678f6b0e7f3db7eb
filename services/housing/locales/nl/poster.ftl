# The words on the A4 poster at the door of a certified building.
poster-scan = Scan om te controleren of dit gebouw gecertificeerd is
# The line under the address; the poster is Dutch first, so it uses this one.
poster-capacity = Max. { $capacity } pers.  ·  BAG { $bag }
