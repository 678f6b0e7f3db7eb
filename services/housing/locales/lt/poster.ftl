# The words on the A4 poster at the door of a certified building.
poster-scan = Nuskenuokite ir patikrinkite, ar šis pastatas sertifikuotas
