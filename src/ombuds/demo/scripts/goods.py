"""Shipped goods: parcels that are late, lost, damaged, wrongly delivered or sent back."""

from ombuds.demo.catalogue import GOODS_TEAM

from . import OrderSituation, Script, say, subjects

DELIVERED_NOT_RECEIVED = Script(
    key="delivered_not_received",
    requester="buyer",
    topic="Delivery",
    team=GOODS_TEAM,
    tags=("delivery", "courier-claim"),
    weight=9,
    situation=OrderSituation(("goods",), "in_transit"),
    reported_events=("shipment.delivered",),
    outcome="refund",
    subjects=subjects(
        ("Parcel marked delivered but not here", "{carrier} says delivered, but I have nothing"),
        (
            "Pakket staat als bezorgd maar is er niet",
            "{carrier} zegt bezorgd, maar ik heb niets ontvangen",
        ),
    ),
    opening=say(
        "My parcel says delivered but it's not here.\n"
        "Tracking {tracking} from {carrier} shows it was delivered today, but nothing arrived "
        "— not at the door, not with the neighbours. It's my {item} (order {order}).",
        "Mijn pakket staat als bezorgd, maar het is er niet.\n"
        "Track & trace {tracking} van {carrier} zegt dat het vandaag is bezorgd, maar er is "
        "niets aangekomen: niet aan de deur, niet bij de buren. Het gaat om mijn {item} "
        "(bestelling {order}).",
    ),
    reply=say(
        "Sorry to hear that. A parcel marked delivered sometimes turns up within a day at a "
        "neighbour or a pick-up point. I've opened an investigation with {carrier}; they'll "
        "check the driver's GPS location and the delivery photo.",
        "Vervelend! Een pakket dat als bezorgd staat duikt soms binnen een dag op bij een buur "
        "of een afhaalpunt. Ik heb een onderzoek gestart bij {carrier}; zij controleren de "
        "GPS-locatie van de bezorger en de afleverfoto.",
    ),
    ask=say(
        "Could you confirm your delivery address, and whether there's a mailbox or safe place "
        "where the driver might have left it?",
        "Kun je je bezorgadres bevestigen, en laten weten of er een brievenbus of "
        "afleverplek is waar de bezorger het kan hebben achtergelaten?",
    ),
    answer=say(
        "The address is correct. There's no safe place; I asked three neighbours.",
        "Het adres klopt. Er is geen afleverplek; ik heb bij drie buren navraag gedaan.",
    ),
    third_party_note=say(
        "Claim filed with {carrier} for {tracking}: the delivery photo shows a different front "
        "door. Awaiting their investigation (usually 5 working days).",
        "Claim ingediend bij {carrier} voor {tracking}: de afleverfoto toont een andere "
        "voordeur. Wachten op hun onderzoek (meestal 5 werkdagen).",
    ),
    hold_note=say(
        "{carrier} investigation running; policy says we wait for its outcome before refunding "
        "more than €100.",
        "Onderzoek van {carrier} loopt; volgens beleid wachten we de uitkomst af voordat we "
        "meer dan €100 terugbetalen.",
    ),
    resolution=say(
        "{carrier} confirmed the parcel went to the wrong address and couldn't get it back. "
        "I've refunded {amount} for order {order}. Sorry for the hassle.",
        "{carrier} bevestigt dat het pakket op een verkeerd adres is afgeleverd en kon het "
        "niet terughalen. Ik heb {amount} voor bestelling {order} teruggestort. Sorry voor het "
        "gedoe.",
    ),
)

PARCEL_LATE = Script(
    key="parcel_late",
    requester="buyer",
    topic="Delivery",
    team=GOODS_TEAM,
    tags=("delivery", "late"),
    weight=10,
    situation=OrderSituation(("goods",), "in_transit"),
    reported_events=("shipment.delayed",),
    outcome="delivered",
    subjects=subjects(
        ("Where is my parcel?", "Order {order} still not delivered", "Delivery is late"),
        (
            "Waar blijft mijn pakket?",
            "Bestelling {order} nog steeds niet bezorgd",
            "Levering is te laat",
        ),
    ),
    opening=say(
        "My order still hasn't arrived.\n"
        "It was supposed to be delivered by {promised} and the {carrier} tracking hasn't moved "
        "for days. Order {order}, {item}.",
        "Mijn bestelling is nog steeds niet binnen.\n"
        "Hij zou uiterlijk {promised} bezorgd worden en de track & trace van {carrier} staat "
        "al dagen stil. Bestelling {order}, {item}.",
    ),
    reply=say(
        "Thanks for your patience. {carrier} reports a delay at their sorting centre for "
        "parcel {tracking}. It's still on its way and I'm following it for you.",
        "Bedankt voor je geduld. {carrier} meldt een vertraging in het sorteercentrum voor "
        "pakket {tracking}. Het is nog onderweg en ik volg het voor je.",
    ),
    ask=say(
        "Will you be home in the next two days, or shall I ask {carrier} to deliver it to a "
        "pick-up point near you?",
        "Ben je de komende twee dagen thuis, of zal ik {carrier} vragen het bij een afhaalpunt "
        "in de buurt te bezorgen?",
    ),
    answer=say(
        "A pick-up point is better, I work during the day.",
        "Een afhaalpunt is beter, ik werk overdag.",
    ),
    third_party_note=say(
        "Asked {carrier} for a status update on {tracking} and a redirect to a pick-up point.",
        "{carrier} gevraagd om een status-update van {tracking} en omleiding naar een afhaalpunt.",
    ),
    hold_note=say(
        "{carrier} says the parcel is stuck in sorting; news expected within 3 working days.",
        "{carrier} zegt dat het pakket vastzit in de sortering; nieuws verwacht binnen 3 "
        "werkdagen.",
    ),
    resolution=say(
        "Your parcel has been delivered. Sorry it took longer than promised — enjoy your {item}!",
        "Je pakket is bezorgd. Sorry dat het langer duurde dan beloofd. Veel plezier met je "
        "{item}!",
    ),
)

PARCEL_LOST = Script(
    key="parcel_lost",
    requester="buyer",
    topic="Delivery",
    team=GOODS_TEAM,
    tags=("delivery", "lost", "courier-claim"),
    weight=5,
    pressing=True,
    situation=OrderSituation(("goods",), "in_transit"),
    reported_events=("shipment.lost",),
    outcome="refund",
    subjects=subjects(
        ("Parcel lost by the courier", "{carrier} lost my parcel"),
        ("Pakket kwijtgeraakt door de vervoerder", "{carrier} is mijn pakket kwijt"),
    ),
    opening=say(
        "{carrier} lost my parcel.\n"
        "They emailed that parcel {tracking} can't be found. What happens with my {item} and "
        "my {amount}? Order {order}.",
        "{carrier} is mijn pakket kwijt.\n"
        "Ze mailden dat pakket {tracking} niet meer te vinden is. Wat gebeurt er met mijn "
        "{item} en mijn {amount}? Bestelling {order}.",
    ),
    reply=say(
        "I'm sorry. A parcel lost in transit is never the buyer's risk: you'll get a "
        "replacement from the seller or your money back. I'm checking with {carrier} and the "
        "seller which one is possible.",
        "Wat vervelend. Een pakket dat onderweg kwijtraakt is nooit het risico van de koper: "
        "je krijgt een vervangend exemplaar van de verkoper of je geld terug. Ik stem met "
        "{carrier} en de verkoper af wat mogelijk is.",
    ),
    ask=say(
        "Would you like a replacement if the seller has another one, or a refund?",
        "Wil je een vervangend exemplaar als de verkoper er nog een heeft, of je geld terug?",
    ),
    answer=say("A refund please.", "Graag mijn geld terug."),
    third_party_note=say(
        "{seller} filed the loss claim with {carrier} ({tracking}); our refund to the buyer "
        "does not wait for the claim.",
        "{seller} heeft de verliesclaim bij {carrier} ingediend ({tracking}); onze "
        "terugbetaling aan de koper wacht niet op de claim.",
    ),
    hold_note=say(
        "Amount is above agent authority; waiting for finance to approve the refund.",
        "Bedrag boven de bevoegdheid van de agent; wachten op akkoord van finance voor de "
        "terugbetaling.",
    ),
    resolution=say(
        "I've refunded {amount} for order {order} to your original payment method. Sorry your "
        "{item} never arrived.",
        "Ik heb {amount} voor bestelling {order} teruggestort via je oorspronkelijke "
        "betaalmethode. Sorry dat je {item} nooit is aangekomen.",
    ),
)

ITEM_DAMAGED = Script(
    key="item_damaged",
    requester="buyer",
    topic="Delivery",
    team=GOODS_TEAM,
    tags=("damaged", "courier-claim"),
    weight=6,
    situation=OrderSituation(("goods",), "delivered"),
    reported_events=("shipment.damaged",),
    outcome="refund_partial",
    subjects=subjects(
        ("Item arrived damaged", "My {item} arrived broken"),
        ("Product beschadigd aangekomen", "Mijn {item} is kapot aangekomen"),
    ),
    opening=say(
        "My {item} arrived damaged.\n"
        "The box was dented and the item inside is broken. I have photos. Order {order}, "
        "delivered by {carrier}.",
        "Mijn {item} is beschadigd aangekomen.\n"
        "De doos was gedeukt en het product is kapot. Ik heb foto's. Bestelling {order}, "
        "bezorgd door {carrier}.",
    ),
    reply=say(
        "I'm sorry it arrived like that. To sort it out I need to know whether the damage "
        "happened in transit or was already there, so the right party pays for it — not you.",
        "Vervelend dat het zo is aangekomen. Om het op te lossen moet ik weten of de schade "
        "onderweg is ontstaan of er al was, zodat de juiste partij ervoor betaalt, en niet "
        "jij.",
    ),
    ask=say(
        "Could you upload photos of the item, the box and the shipping label? Please keep the "
        "packaging until this is settled.",
        "Kun je foto's uploaden van het product, de doos en het verzendlabel? Bewaar de "
        "verpakking graag tot dit is afgehandeld.",
    ),
    answer=say("Photos uploaded. I kept the box.", "Foto's geüpload. Ik heb de doos bewaard."),
    third_party_note=say(
        "Photos show a crushed outer box: transit damage. Damage claim filed with {carrier}; "
        "{seller} informed.",
        "Foto's tonen een ingedeukte buitendoos: transportschade. Schadeclaim ingediend bij "
        "{carrier}; {seller} geïnformeerd.",
    ),
    hold_note=say(
        "Seller disputes it and says it was packed well. Waiting for {carrier}'s inspection "
        "before deciding who pays.",
        "Verkoper betwist het en zegt dat het goed verpakt was. Wachten op de inspectie van "
        "{carrier} voordat we beslissen wie betaalt.",
    ),
    resolution=say(
        "Thanks for the photos. As agreed, I've refunded {refund} so you can have it "
        "repaired; the rest we settle with {carrier}.",
        "Bedankt voor de foto's. Zoals afgesproken heb ik {refund} teruggestort zodat je het "
        "kunt laten repareren; de rest handelen we af met {carrier}.",
    ),
)

RETURN_NOT_REFUNDED = Script(
    key="return_not_refunded",
    requester="buyer",
    topic="Returns",
    team=GOODS_TEAM,
    tags=("return", "refund"),
    weight=5,
    situation=OrderSituation(("goods",), "delivered"),
    reported_events=("shipment.returned",),
    outcome="refund",
    subjects=subjects(
        ("Returned the item, still no refund", "Refund for my return?"),
        ("Artikel teruggestuurd, nog geen geld terug", "Terugbetaling van mijn retour?"),
    ),
    opening=say(
        "I sent my {item} back but haven't been refunded.\n"
        "According to {carrier} ({tracking}) the return reached the seller more than a week "
        "ago. Order {order}.",
        "Ik heb mijn {item} teruggestuurd, maar nog geen geld terug gekregen.\n"
        "Volgens {carrier} ({tracking}) is de retour al meer dan een week geleden bij de "
        "verkoper bezorgd. Bestelling {order}.",
    ),
    reply=say(
        "I can see the return was delivered to the seller. Sellers have 5 working days to "
        "check a return; that time has passed, so I'm asking them to release the refund now.",
        "Ik zie dat de retour bij de verkoper is bezorgd. Verkopers hebben 5 werkdagen om een "
        "retour te controleren; die termijn is voorbij, dus ik vraag ze de terugbetaling nu "
        "vrij te geven.",
    ),
    ask=say(
        "Did you return all parts and accessories in the original packaging? The seller "
        "mentions a missing charger.",
        "Heb je alle onderdelen en accessoires in de originele verpakking teruggestuurd? De "
        "verkoper noemt een ontbrekende oplader.",
    ),
    answer=say(
        "Yes, the charger was in the side pocket of the box. I have a photo of the package "
        "before I closed it.",
        "Ja, de oplader zat in het zijvak van de doos. Ik heb een foto van het pakket voordat "
        "ik het dichtdeed.",
    ),
    third_party_note=say(
        "Asked {seller} to confirm the return's contents within 48 hours; after that we refund "
        "from the seller's balance.",
        "{seller} gevraagd de inhoud van de retour binnen 48 uur te bevestigen; daarna "
        "betalen we terug vanuit het saldo van de verkoper.",
    ),
    hold_note=say(
        "Seller and buyer disagree about the charger. Waiting for the supervisor's decision.",
        "Verkoper en koper zijn het oneens over de oplader. Wachten op de beslissing van de "
        "supervisor.",
    ),
    resolution=say(
        "I've refunded {amount} for your return of order {order}. You'll see it within 3–5 "
        "working days.",
        "Ik heb {amount} voor je retour van bestelling {order} teruggestort. Binnen 3–5 "
        "werkdagen staat het op je rekening.",
    ),
)

SCRIPTS = (
    DELIVERED_NOT_RECEIVED,
    PARCEL_LATE,
    PARCEL_LOST,
    ITEM_DAMAGED,
    RETURN_NOT_REFUNDED,
)
