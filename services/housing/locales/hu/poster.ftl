# The words on the A4 poster at the door of a certified building.
poster-scan = Szkennelje be, és ellenőrizze, hogy az épület tanúsított-e
