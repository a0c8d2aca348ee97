"""What the public outputs say, in English and Ukrainian. Plain dictionaries: a translator edits the
text here and nowhere else; every language has every key (a test checks)."""
from __future__ import annotations

LANGUAGES = ("en", "uk")
DEFAULT_LANGUAGE = "en"

COMPASS = ("N", "NE", "E", "SE", "S", "SW", "W", "NW")

TEXT: dict[str, dict[str, str]] = {
    "en": {
        "status.inside": "You may be inside a warning zone",
        "status.near": "A warning zone is near",
        "status.clear": "No known warning zone nearby",
        "advice.inside": (
            "You may be inside an area that can contain mines or explosive ordnance. Stop. Do not "
            "move further and do not touch anything. If you can, go back exactly the way you came, "
            "stepping in your own footprints; otherwise stay where you are and call for help on {hotline}."),
        "advice.near": (
            "A warning zone is {distance} m to the {direction}. Stay out of it: keep to paved roads "
            "and well-used paths, respect warning signs, paint marks and fences, and never touch a "
            "suspicious object. Report anything suspicious on {hotline}."),
        "advice.clear": (
            "There is no known warning zone within {near} m. Explosive ordnance can still lie "
            "anywhere fighting took place: keep to well-used paths, never touch a suspicious object "
            "and report it on {hotline}."),
        "advice.none": (
            "No warning zones are published. Explosive ordnance can still lie anywhere fighting took "
            "place: never touch a suspicious object and report it on {hotline}."),
        "classification.SHA": "Suspected hazardous area",
        "classification.CHA": "Confirmed hazardous area",
        "classification.EOD_SPOT_TASK": "Explosive ordnance found at a spot",
        "classification.ASA": "Ammunition storage area",
        "zone_status.open": "Not yet worked on",
        "zone_status.worked_on": "Survey or clearance under way",
        "zone_status.suspended": "Work suspended",
        "precision.surveyed": "Surveyed boundary with a safety margin",
        "precision.approximate": "Approximate area: the exact place is not published",
        "marking.signs": "warning signs",
        "marking.paint": "paint marks",
        "marking.fence": "fence",
        "marking.barrier": "barrier",
        "marking.natural": "natural boundary",
        "marking.none": "no marking reported",
        "direction.N": "north", "direction.NE": "north-east", "direction.E": "east",
        "direction.SE": "south-east", "direction.S": "south", "direction.SW": "south-west",
        "direction.W": "west", "direction.NW": "north-west",
    },
    "uk": {
        "status.inside": "Можливо, ви в зоні небезпеки",
        "status.near": "Поруч зона небезпеки",
        "status.clear": "Поруч немає відомих зон небезпеки",
        "advice.inside": (
            "Можливо, ви на території, де можуть бути міни чи вибухонебезпечні предмети. Зупиніться. "
            "Не рухайтеся далі й нічого не торкайтеся. Якщо можете, поверніться точно тим самим "
            "шляхом, ступаючи у власні сліди; інакше залишайтеся на місці й телефонуйте по допомогу: {hotline}."),
        "advice.near": (
            "Зона небезпеки за {distance} м на {direction}. Не заходьте до неї: тримайтеся доріг із "
            "твердим покриттям і протоптаних стежок, зважайте на попереджувальні знаки, фарбові "
            "позначки й огорожі, ніколи не торкайтеся підозрілих предметів. Про підозрілі предмети "
            "повідомляйте за номером {hotline}."),
        "advice.clear": (
            "У межах {near} м немає відомих зон небезпеки. Вибухонебезпечні предмети все одно можуть "
            "бути будь-де, де тривали бої: ходіть протоптаними стежками, не торкайтеся підозрілих "
            "предметів і повідомляйте про них за номером {hotline}."),
        "advice.none": (
            "Зони небезпеки не оприлюднено. Вибухонебезпечні предмети все одно можуть бути будь-де, "
            "де тривали бої: не торкайтеся підозрілих предметів і повідомляйте про них за номером {hotline}."),
        "classification.SHA": "Підозріла небезпечна територія",
        "classification.CHA": "Підтверджена небезпечна територія",
        "classification.EOD_SPOT_TASK": "Місце виявлення вибухонебезпечного предмета",
        "classification.ASA": "Район зберігання боєприпасів",
        "zone_status.open": "Роботи ще не розпочато",
        "zone_status.worked_on": "Тривають обстеження або розмінування",
        "zone_status.suspended": "Роботи призупинено",
        "precision.surveyed": "Обстежена межа із запасом безпеки",
        "precision.approximate": "Приблизна територія: точне місце не оприлюднюється",
        "marking.signs": "попереджувальні знаки",
        "marking.paint": "фарбові позначки",
        "marking.fence": "огорожа",
        "marking.barrier": "загородження",
        "marking.natural": "природна межа",
        "marking.none": "позначення не повідомлено",
        "direction.N": "північ", "direction.NE": "північний схід", "direction.E": "схід",
        "direction.SE": "південний схід", "direction.S": "південь", "direction.SW": "південний захід",
        "direction.W": "захід", "direction.NW": "північний захід",
    },
}


def say(lang: str, key: str, **values) -> str:
    """The text ``key`` in ``lang`` (English when a key is missing), with ``values`` filled in."""
    template = TEXT.get(lang, {}).get(key) or TEXT[DEFAULT_LANGUAGE].get(key, key)
    return template.format(**values) if values else template


def compass_point(bearing_deg: float) -> str:
    """The nearest of the eight compass points to a bearing in degrees (0 = north, clockwise)."""
    return COMPASS[int(((bearing_deg % 360) + 22.5) // 45) % 8]
