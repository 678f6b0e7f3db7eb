# The words on the A4 poster at the door of a certified building.
poster-scan = Scanați pentru a verifica dacă această clădire este certificată
