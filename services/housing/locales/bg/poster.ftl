# The words on the A4 poster at the door of a certified building.
poster-scan = Сканирайте, за да проверите дали сградата е сертифицирана
