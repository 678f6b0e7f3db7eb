# The words on the A4 poster at the door of a certified building.
poster-scan = Zeskanuj, aby sprawdzić, czy ten budynek ma certyfikat
