# The words on the A4 poster at the door of a certified building.
poster-scan = Escanee para comprobar si este edificio está certificado
