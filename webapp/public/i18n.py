"""What the public warning map page says, in English and Ukrainian, and how its language is chosen.

Plain dictionaries, like :mod:`webapp.public.messages` (which holds the texts the check API answers
with, and the names of classifications, statuses, markings and directions that the page shows too):
a translator edits the text here and nowhere else, and every language has every key (a test checks).

The page speaks the languages the check API speaks (:data:`messages.LANGUAGES`), so that every answer
it shows is in the language of the page. The language comes from ``?lang=`` (remembered in a cookie),
else that cookie, else the browser's ``Accept-Language``, else English. Languages written right to
left get ``dir="rtl"``; the stylesheet uses logical properties only, so the layout mirrors itself.
"""
from __future__ import annotations

from werkzeug.datastructures import LanguageAccept

from . import messages

LANGUAGES: tuple[str, ...] = messages.LANGUAGES
DEFAULT_LANGUAGE = messages.DEFAULT_LANGUAGE
COOKIE = "safeground_lang"
"""Remembers the language picked with ``?lang=`` (nothing else: no session on the public page)."""

RTL_LANGUAGES = frozenset({"ar", "arc", "ckb", "dv", "fa", "he", "ku-arab", "ps", "sd", "ug", "ur", "yi"})
"""Primary language tags written right to left (those a mine action programme is likely to need)."""

NAMES = {"en": "English", "uk": "Українська", "ar": "العربية", "fa": "فارسی", "ps": "پښتو",
         "ckb": "کوردی", "ur": "اردو"}
"""Each language's name in itself, for the language switch."""

# Keys the page's script needs (the template uses the rest); values may hold {placeholders}.
SCRIPT_KEYS = (
    "check.button", "check.busy", "locating", "checking", "geo.denied", "geo.unavailable", "geo.timeout",
    "geo.unsupported", "geo.insecure", "geo.title", "check.failed", "check.failed_title", "accuracy",
    "nearest", "outside_area", "point.you", "point.tapped", "zone.title", "zone.advice",
    "field.national_code", "field.classification", "field.status", "field.marking",
    "field.last_survey_date", "field.organisation", "field.precision", "hotline.call", "close",
    "unit.m", "unit.km", "cluster.title", "tiles.failed", "zoom.in", "zoom.out", "check.again",
)

TEXT: dict[str, dict[str, str]] = {
    "en": {
        "title": "Warning map: mines and explosive ordnance",
        "description": "Known mine and explosive ordnance warning zones, whether you are near one, "
                       "and whom to call.",
        "heading": "Mine warning map",
        "language": "Language",
        "notice": "This map shows only known warning zones. Any area may be dangerous: explosive "
                  "ordnance can lie anywhere fighting took place.",
        "check.button": "Am I near a hazard?",
        "check.busy": "Checking…",
        "check.hint": "Uses your phone's location. You can also tap the map, or press and hold it, "
                      "to check any point.",
        "check.again": "Check my location again",
        "map.label": "Map of warning zones",
        "noscript": "The map needs JavaScript. The safety advice and the hotline below work without it.",
        "locating": "Finding your location…",
        "checking": "Checking this point…",
        "geo.title": "Your location is not available",
        "geo.denied": "You did not allow this page to use your location. To check where you are, "
                      "allow location for this site in your browser settings and try again, or tap "
                      "the map where you are.",
        "geo.unavailable": "Your location could not be found. Switch on location (GPS), move into the "
                           "open and try again, or tap the map where you are.",
        "geo.timeout": "Finding your location took too long. Try again, or tap the map where you are.",
        "geo.unsupported": "This browser cannot share your location. Tap the map where you are instead.",
        "geo.insecure": "Your location can only be shared over a secure (https) connection. Tap the map "
                        "where you are instead.",
        "check.failed_title": "The check could not be done",
        "check.failed": "Check your connection and try again. Until you know, treat the area as "
                        "dangerous.",
        "accuracy": "Your location is accurate to about {accuracy}, so the answer may be out by as much.",
        "nearest": "Nearest known warning zone: {distance} to the {direction}.",
        "outside_area": "This point is outside the area this map covers: warning zones there are not "
                        "shown.",
        "point.you": "Your location",
        "point.tapped": "The point you checked",
        "zone.title": "Warning zone",
        "zone.advice": "Do not enter. Keep to paved roads and well-used paths, and never touch a "
                       "suspicious object.",
        "field.national_code": "Code",
        "field.classification": "Type",
        "field.status": "Work",
        "field.marking": "Marking",
        "field.last_survey_date": "Last surveyed",
        "field.organisation": "Responsible organisation",
        "field.precision": "Precision",
        "hotline": "Hotline",
        "hotline.call": "Call {hotline}",
        "close": "Close",
        "unit.m": "{n} m",
        "unit.km": "{n} km",
        "cluster.title": "{count} warning zones here: tap to zoom in",
        "tiles.failed": "Some warning zones could not be loaded. Check your connection: the map may "
                        "be incomplete.",
        "zoom.in": "Zoom in",
        "zoom.out": "Zoom out",
        "legend": "What the map shows",
        "legend.cha": "Confirmed hazardous area",
        "legend.sha": "Suspected hazardous area",
        "legend.open": "Solid outline: work not yet started",
        "legend.worked_on": "Dashed outline: survey or clearance under way",
        "legend.suspended": "Dotted outline: work suspended",
        "legend.cluster": "Number of warning zones in the area: zoom in to see them",
        "legend.point": "The point you checked",
        "legend.approximate": "Some zones are drawn larger than the hazard, to protect the people who "
                              "reported it; they are marked “approximate area”.",
        "found.title": "If you find a suspicious object",
        "found.1": "Stop. Do not touch it, do not move it and do not go closer.",
        "found.2": "Mark the place if you can do so from where you stand, for example with a stick "
                   "or a piece of cloth. Never step off the path to do it.",
        "found.3": "Leave the way you came, stepping in your own footprints.",
        "found.4": "Call the hotline and say where the object is. Warn others, and keep children away.",
        "staff": "Staff sign-in",
    },
    "uk": {
        "title": "Мапа небезпеки: міни та вибухонебезпечні предмети",
        "description": "Відомі зони небезпеки через міни та вибухонебезпечні предмети, чи ви поруч "
                       "із такою зоною і куди телефонувати.",
        "heading": "Мапа мінної небезпеки",
        "language": "Мова",
        "notice": "На мапі лише відомі зони небезпеки. Небезпечною може бути будь-яка місцевість: "
                  "вибухонебезпечні предмети можуть бути всюди, де тривали бої.",
        "check.button": "Чи є поруч зона небезпеки?",
        "check.busy": "Перевіряємо…",
        "check.hint": "Використовує місцезнаходження вашого телефона. Щоб перевірити будь-яке місце, "
                      "торкніться мапи або натисніть і утримуйте її.",
        "check.again": "Перевірити моє місцезнаходження ще раз",
        "map.label": "Мапа зон небезпеки",
        "noscript": "Для мапи потрібен JavaScript. Поради з безпеки та гаряча лінія нижче працюють і без нього.",
        "locating": "Визначаємо ваше місцезнаходження…",
        "checking": "Перевіряємо це місце…",
        "geo.title": "Ваше місцезнаходження недоступне",
        "geo.denied": "Ви не дозволили сторінці використовувати ваше місцезнаходження. Щоб перевірити, "
                      "де ви, дозвольте доступ до місцезнаходження для цього сайту в налаштуваннях "
                      "браузера й спробуйте ще раз або торкніться мапи там, де ви є.",
        "geo.unavailable": "Не вдалося визначити ваше місцезнаходження. Увімкніть геолокацію (GPS), "
                           "вийдіть на відкрите місце й спробуйте ще раз або торкніться мапи там, де ви є.",
        "geo.timeout": "Визначення місцезнаходження триває надто довго. Спробуйте ще раз або "
                       "торкніться мапи там, де ви є.",
        "geo.unsupported": "Цей браузер не може передати ваше місцезнаходження. Натомість торкніться "
                           "мапи там, де ви є.",
        "geo.insecure": "Місцезнаходження можна передати лише через захищене (https) з'єднання. "
                        "Натомість торкніться мапи там, де ви є.",
        "check.failed_title": "Не вдалося перевірити",
        "check.failed": "Перевірте з'єднання й спробуйте ще раз. Доки не знаєте напевно, вважайте "
                        "місцевість небезпечною.",
        "accuracy": "Ваше місцезнаходження визначено з точністю близько {accuracy}, тож відповідь може "
                    "бути неточною на стільки ж.",
        "nearest": "Найближча відома зона небезпеки: {distance} на {direction}.",
        "outside_area": "Це місце поза територією, яку охоплює мапа: зони небезпеки там не показано.",
        "point.you": "Ваше місцезнаходження",
        "point.tapped": "Місце, яке ви перевірили",
        "zone.title": "Зона небезпеки",
        "zone.advice": "Не заходьте. Тримайтеся доріг із твердим покриттям і протоптаних стежок, "
                       "ніколи не торкайтеся підозрілих предметів.",
        "field.national_code": "Код",
        "field.classification": "Тип",
        "field.status": "Роботи",
        "field.marking": "Позначення",
        "field.last_survey_date": "Останнє обстеження",
        "field.organisation": "Відповідальна організація",
        "field.precision": "Точність",
        "hotline": "Гаряча лінія",
        "hotline.call": "Телефонуйте {hotline}",
        "close": "Закрити",
        "unit.m": "{n} м",
        "unit.km": "{n} км",
        "cluster.title": "Зон небезпеки тут: {count}. Торкніться, щоб наблизити",
        "tiles.failed": "Деякі зони небезпеки не завантажилися. Перевірте з'єднання: на мапі може "
                        "бути показано не все.",
        "zoom.in": "Наблизити",
        "zoom.out": "Віддалити",
        "legend": "Що показує мапа",
        "legend.cha": "Підтверджена небезпечна територія",
        "legend.sha": "Підозріла небезпечна територія",
        "legend.open": "Суцільний контур: роботи ще не розпочато",
        "legend.worked_on": "Пунктирний контур: тривають обстеження або розмінування",
        "legend.suspended": "Точковий контур: роботи призупинено",
        "legend.cluster": "Кількість зон небезпеки в цій місцевості: наблизьте мапу, щоб їх побачити",
        "legend.point": "Місце, яке ви перевірили",
        "legend.approximate": "Деякі зони показано більшими за саму небезпечну ділянку, щоб захистити "
                              "людей, які про неї повідомили; їх позначено як «приблизна територія».",
        "found.title": "Якщо ви знайшли підозрілий предмет",
        "found.1": "Зупиніться. Не торкайтеся його, не пересувайте й не підходьте ближче.",
        "found.2": "Позначте місце, якщо можете зробити це, не сходячи з місця, наприклад палицею "
                   "або шматком тканини. Ніколи не сходьте для цього зі стежки.",
        "found.3": "Поверніться тим самим шляхом, яким прийшли, ступаючи у власні сліди.",
        "found.4": "Зателефонуйте на гарячу лінію й скажіть, де предмет. Попередьте інших і не "
                   "підпускайте дітей.",
        "staff": "Вхід для персоналу",
    },
}

# Names the page shows for values the tiles carry (classification, status, marking, precision) and
# for directions: the same words as the check API's answers, from messages.TEXT.
_VALUE_PREFIXES = ("classification.", "zone_status.", "precision.", "marking.", "direction.", "status.")


def supported() -> tuple[str, ...]:
    """The languages the page can be shown in."""
    return tuple(lang for lang in LANGUAGES if lang in TEXT)


def direction(lang: str) -> str:
    """``rtl`` for a language written right to left, else ``ltr``."""
    primary = lang.lower().split("-")[0]
    return "rtl" if lang.lower() in RTL_LANGUAGES or primary in RTL_LANGUAGES else "ltr"


def choose(query: str | None, cookie: str | None, accepted: LanguageAccept | None) -> tuple[str, bool]:
    """The page's language and whether it was picked in the query string (then it is remembered).

    An unknown ``?lang=`` or cookie is ignored rather than refused: a civilian following an old or
    mistyped link still gets the page, in the best language the browser asks for."""
    languages = supported()
    if query is not None and query.strip().lower() in languages:
        return query.strip().lower(), True
    if cookie is not None and cookie in languages:
        return cookie, False
    if accepted is not None:
        best = accepted.best_match(languages)
        if best:
            return best, False
    return DEFAULT_LANGUAGE, False


def say(lang: str, key: str, **values) -> str:
    """The page text ``key`` in ``lang`` (English when missing), with ``values`` filled in."""
    template = TEXT.get(lang, {}).get(key) or TEXT[DEFAULT_LANGUAGE].get(key) or messages.say(lang, key)
    return template.format(**values) if values else template


def script_text(lang: str) -> dict[str, str]:
    """Every text the page's script shows, in ``lang``, placeholders left in."""
    texts = {key: TEXT.get(lang, {}).get(key) or TEXT[DEFAULT_LANGUAGE][key] for key in SCRIPT_KEYS}
    for key in messages.TEXT[messages.DEFAULT_LANGUAGE]:
        if key.startswith(_VALUE_PREFIXES):
            texts[key] = messages.say(lang, key)
    return texts
