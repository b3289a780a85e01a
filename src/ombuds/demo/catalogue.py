"""The fixed cast of the demo marketplace: its brand, its desk staff, and the venues,
hotels, airlines, couriers, events and goods its orders are about. Every name is invented,
except the couriers, whom every Dutch buyer knows."""

from __future__ import annotations

from dataclasses import dataclass

BRAND = "Second Row"
SLUG = "resale"
CASE_PREFIX = "RES"
SUPPORT_EMAIL = "support@secondrow.example"
TIMEZONE = "Europe/Amsterdam"

OUTLET_SLUG = "outlet"
OUTLET_NAME = "Second Row Outlet"
OUTLET_PREFIX = "OUT"
OUTLET_SUPPORT_EMAIL = "outlet@secondrow.example"

DEMO_PASSWORD = "ombuds-demo"
STAFF_DOMAIN = "demo.ombuds.test"

TICKETS_TEAM = "Tickets & Bookings"
GOODS_TEAM = "Shipping & Goods"


@dataclass(frozen=True)
class StaffMember:
    email: str
    name: str
    role: str
    language: str = "en"
    teams: tuple[str, ...] = ()
    outlet_role: str | None = None  # also works in the outlet workspace, with this role


STAFF = (
    StaffMember(f"admin@{STAFF_DOMAIN}", "Sanne de Vries", "admin", "nl", outlet_role="admin"),
    StaffMember(
        f"supervisor@{STAFF_DOMAIN}",
        "Tom Bakker",
        "supervisor",
        "nl",
        teams=(TICKETS_TEAM, GOODS_TEAM),
    ),
    StaffMember(f"emma@{STAFF_DOMAIN}", "Emma Clarke", "agent", "en", teams=(TICKETS_TEAM,)),
    StaffMember(f"daan@{STAFF_DOMAIN}", "Daan Jansen", "agent", "nl", teams=(TICKETS_TEAM,)),
    StaffMember(f"noor@{STAFF_DOMAIN}", "Noor El Amrani", "agent", "nl", teams=(TICKETS_TEAM,)),
    StaffMember(f"priya@{STAFF_DOMAIN}", "Priya Shah", "agent", "en", teams=(GOODS_TEAM,)),
    StaffMember(
        f"lotte@{STAFF_DOMAIN}",
        "Lotte Visser",
        "agent",
        "nl",
        teams=(GOODS_TEAM,),
        outlet_role="agent",
    ),
    StaffMember(
        f"james@{STAFF_DOMAIN}", "James O'Neill", "agent", "en", teams=(TICKETS_TEAM, GOODS_TEAM)
    ),
    StaffMember(f"finance@{STAFF_DOMAIN}", "Fatima Bouzid", "finance", "nl"),
    StaffMember(f"viewer@{STAFF_DOMAIN}", "Guest Auditor", "read_only", "en"),
)


@dataclass(frozen=True)
class Place:
    """A third party that provides what was resold: venue, hotel, airline or courier."""

    key: str
    name: str
    city: str = ""
    email: str = ""
    phone: str = ""


VENUES = (
    Place("venue-amstel-arena", "Amstel Arena", "Amsterdam", "boxoffice@amstelarena.example"),
    Place("venue-maaspodium", "Maaspodium", "Rotterdam", "tickets@maaspodium.example"),
    Place("venue-noorderhal", "Noorderhal", "Utrecht", "info@noorderhal.example"),
    Place("venue-westergas", "Westergas Hall", "Amsterdam", "events@westergashall.example"),
    Place(
        "venue-polderpark",
        "Polderpark Festival Grounds",
        "Biddinghuizen",
        "service@polderpark.example",
    ),
    Place("venue-maasstadion", "Stadion aan de Maas", "Rotterdam", "kaarten@maasstadion.example"),
)

HOTELS = (
    Place(
        "hotel-amstelhaven",
        "Hotel Amstelhaven",
        "Amsterdam",
        "reservations@amstelhaven.example",
        "+31205550101",
    ),
    Place(
        "hotel-canal-house",
        "Canal House Suites",
        "Amsterdam",
        "frontdesk@canalhousesuites.example",
        "+31205550102",
    ),
    Place(
        "hotel-maasoever",
        "Grand Hotel Maasoever",
        "Rotterdam",
        "reserveringen@maasoever.example",
        "+31105550103",
    ),
    Place(
        "hotel-witte-brug",
        "Hotel De Witte Brug",
        "Utrecht",
        "info@wittebrug.example",
        "+31305550104",
    ),
    Place(
        "hotel-kensington-yard",
        "The Kensington Yard",
        "London",
        "stay@kensingtonyard.example",
        "+442075550105",
    ),
    Place(
        "hotel-lumiere",
        "Hôtel Lumière Rive Gauche",
        "Paris",
        "accueil@hotel-lumiere.example",
        "+33155550106",
    ),
    Place(
        "hotel-sol-de-gracia",
        "Hotel Sol de Gràcia",
        "Barcelona",
        "reservas@soldegracia.example",
        "+34935550107",
    ),
)

AIRLINES = (
    Place("airline-tulip-air", "Tulip Air", "", "namechanges@tulipair.example"),
    Place("airline-north-sea", "North Sea Airways", "", "support@northseaairways.example"),
)


@dataclass(frozen=True)
class Courier:
    key: str
    name: str
    email: str
    tracking_url: str  # formatted with the tracking number

    def tracking_number(self, rng) -> str:
        digits = "".join(rng.choice("0123456789") for _ in range(14))
        letters = "".join(rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(4))
        if self.key == "courier-postnl":
            return f"3S{letters}{digits[:9]}"
        if self.key == "courier-dhl":
            return f"JVGL{digits}"
        if self.key == "courier-ups":
            return f"1Z{letters}{digits[:12]}"
        return digits


COURIERS = (
    Courier(
        "courier-postnl",
        "PostNL",
        "claims@postnl.example",
        "https://jouw.postnl.nl/track-and-trace/{}",
    ),
    Courier(
        "courier-dhl",
        "DHL",
        "claims@dhl.example",
        "https://www.dhl.com/nl-en/home/tracking.html?tracking-id={}",
    ),
    Courier(
        "courier-dpd", "DPD", "claims@dpd.example", "https://tracking.dpd.de/status/en_NL/parcel/{}"
    ),
    Courier("courier-ups", "UPS", "claims@ups.example", "https://www.ups.com/track?tracknum={}"),
)


@dataclass(frozen=True)
class Event:
    """Something people buy tickets for; `venue` is a key of VENUES."""

    title: str
    venue: str
    kind: str  # concert, festival, football
    price_range: tuple[int, int]  # face value per ticket, in cents


EVENTS = (
    Event("The Lantern Society — European Tour", "venue-amstel-arena", "concert", (5500, 9500)),
    Event("Mira Vos — Live in Concert", "venue-maaspodium", "concert", (3900, 6900)),
    Event("Neon Harbour", "venue-westergas", "concert", (3500, 5500)),
    Event("Kasper & the Night Owls", "venue-noorderhal", "concert", (2900, 4900)),
    Event("Luna Park Orchestra plays Film Music", "venue-amstel-arena", "concert", (4500, 8900)),
    Event("Velvet Static — Farewell Show", "venue-noorderhal", "concert", (4200, 7500)),
    Event("Polder Sound Festival — weekend ticket", "venue-polderpark", "festival", (16500, 24500)),
    Event("Dunes Festival — Saturday", "venue-polderpark", "festival", (8900, 12900)),
    Event("FC Amstel – Maas United", "venue-maasstadion", "football", (3500, 9500)),
    Event("Rotterdam City – Eindhoven Athletic", "venue-maasstadion", "football", (2900, 7500)),
)


@dataclass(frozen=True)
class Goods:
    en: str
    nl: str
    price_range: tuple[int, int]  # in cents


GOODS = (
    Goods(
        "Wireless noise-cancelling headphones",
        "Draadloze koptelefoon met noise cancelling",
        (8900, 24900),
    ),
    Goods("Refurbished smartphone, 128 GB", "Refurbished smartphone, 128 GB", (19900, 54900)),
    Goods("Vintage leather jacket", "Vintage leren jas", (4500, 14000)),
    Goods("Espresso machine", "Espressomachine", (12900, 49900)),
    Goods("Running shoes, size 43", "Hardloopschoenen, maat 43", (5900, 13900)),
    Goods("LEGO set, sealed", "LEGO-set, ongeopend", (3900, 19900)),
    Goods("Camera lens 50 mm f/1.8", "Cameralens 50 mm f/1.8", (9900, 29900)),
    Goods("Bundle of vinyl records", "Bundel vinylplaten", (2500, 9000)),
    Goods("Board game collection", "Verzameling bordspellen", (2000, 7500)),
    Goods("E-bike battery", "E-bike-accu", (29900, 59900)),
    Goods(
        "Games console with two controllers", "Spelcomputer met twee controllers", (24900, 49900)
    ),
    Goods("Designer handbag", "Designertas", (15000, 90000)),
)

ROUTES = (
    ("AMS", "Amsterdam", "BCN", "Barcelona"),
    ("AMS", "Amsterdam", "LHR", "London"),
    ("RTM", "Rotterdam", "LIS", "Lisbon"),
    ("EIN", "Eindhoven", "FCO", "Rome"),
)

SELLER_SHOPS = (
    "Tickets van Tim",
    "Retro Vinyl Utrecht",
    "Gadget Corner NL",
    "De Jassenzolder",
    "Board & Brick",
    "Lens & Light",
)

PAYMENT_METHODS = (("ideal", 50), ("card", 25), ("paypal", 15), ("bancontact", 10))
PAYMENT_PROVIDERS = ("Mollie", "Adyen")
