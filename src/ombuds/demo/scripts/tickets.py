"""Resold event tickets: waiting for the transfer, failed transfers, cancellations."""

from ombuds.demo.catalogue import TICKETS_TEAM

from . import OrderSituation, Script, say, subjects

TICKETS_NOT_RECEIVED = Script(
    key="tickets_not_received",
    requester="buyer",
    topic="Tickets",
    team=TICKETS_TEAM,
    tags=("tickets", "transfer"),
    weight=14,
    situation=OrderSituation(("event_ticket",), "transfer_pending"),
    outcome="transfer_done",
    subjects=subjects(
        (
            "Tickets not received yet",
            "Still waiting for my tickets for {event}",
            "Where are my tickets?",
        ),
        (
            "Tickets nog niet ontvangen",
            "Nog steeds geen tickets voor {event}",
            "Waar blijven mijn tickets?",
        ),
    ),
    opening=say(
        "I still haven't received my tickets for {event} on {date}.\n"
        "I paid {amount} for order {order} and the seller hasn't transferred them. The event "
        "is getting close and I'm getting nervous — can you check what's going on?",
        "Ik heb mijn tickets voor {event} op {date} nog steeds niet ontvangen.\n"
        "Ik heb {amount} betaald voor bestelling {order} en de verkoper heeft ze nog niet "
        "overgezet. Het evenement komt dichterbij en ik word er onrustig van. Kunnen jullie "
        "kijken wat er aan de hand is?",
    ),
    reply=say(
        "Your order {order} is safe: the seller has until {due} to transfer the tickets to "
        "you, and your payment stays with us until they do. I've sent the seller a reminder "
        "and I'm keeping an eye on it.",
        "Je bestelling {order} is veilig: de verkoper heeft tot {due} om de tickets aan je "
        "over te zetten, en je betaling blijft bij ons tot dat gebeurd is. Ik heb de verkoper "
        "een herinnering gestuurd en houd het in de gaten.",
    ),
    ask=say(
        "Could you check whether the tickets ended up in the {venue} app under the email "
        "address you use there? Sometimes a transfer arrives at a different address than the "
        "one you ordered with.",
        "Wil je kijken of de tickets in de app van {venue} staan, onder het e-mailadres dat "
        "je daar gebruikt? Soms komt een overdracht binnen op een ander adres dan waarmee je "
        "bestelde.",
    ),
    answer=say(
        "I checked the app, nothing there. I use the same address there as for my order.",
        "Ik heb in de app gekeken, er staat niets. Ik gebruik daar hetzelfde adres als bij "
        "mijn bestelling.",
    ),
    third_party_note=say(
        "Asked {seller} for proof of transfer (screenshot from the {venue} app). If nothing "
        "by {due}: cancel and refund under the transfer guarantee.",
        "{seller} gevraagd om bewijs van overdracht (screenshot uit de app van {venue}). Als "
        "er voor {due} niets is: annuleren en terugbetalen volgens de overdrachtsgarantie.",
    ),
    hold_note=say(
        "Seller says {venue} only releases the tickets 48 hours before the event. On hold "
        "until then; reminder set.",
        "Verkoper zegt dat {venue} de tickets pas 48 uur voor het evenement vrijgeeft. Tot "
        "dan on hold; herinnering ingesteld.",
    ),
    resolution=say(
        "Good news: the seller has transferred your tickets for {event}. You'll find them in "
        "the {venue} app now. Enjoy the show!",
        "Goed nieuws: de verkoper heeft je tickets voor {event} overgezet. Je vindt ze nu in "
        "de app van {venue}. Veel plezier!",
    ),
)

TRANSFER_FAILED = Script(
    key="transfer_failed",
    requester="buyer",
    topic="Tickets",
    team=TICKETS_TEAM,
    tags=("tickets", "transfer-failed"),
    weight=8,
    pressing=True,
    situation=OrderSituation(("event_ticket",), "transfer_pending"),
    reported_events=("booking.transfer_failed",),
    outcome="refund",
    subjects=subjects(
        (
            "Ticket transfer failed",
            "Transfer failed — the event is this weekend",
            "Error when accepting my tickets",
        ),
        (
            "Overdracht van tickets mislukt",
            "Overdracht mislukt en het evenement is dit weekend",
            "Foutmelding bij accepteren van mijn tickets",
        ),
    ),
    opening=say(
        "The ticket transfer for {event} failed.\n"
        "The {venue} app says the transfer was cancelled and the seller isn't answering my "
        "messages. I paid {amount} (order {order}). What now?",
        "De overdracht van mijn tickets voor {event} is mislukt.\n"
        "De app van {venue} zegt dat de overdracht is geannuleerd en de verkoper reageert "
        "niet op mijn berichten. Ik heb {amount} betaald (bestelling {order}). Wat nu?",
    ),
    reply=say(
        "I'm sorry, that's stressful so close to the event. I can see the failed transfer on "
        "our side too. I've asked the seller to transfer again today; if that doesn't work you "
        "get a full refund or comparable replacement tickets — you won't be out of pocket.",
        "Vervelend, zeker zo kort voor het evenement. Ik zie de mislukte overdracht ook bij "
        "ons. Ik heb de verkoper gevraagd het vandaag opnieuw te doen; lukt dat niet, dan "
        "krijg je je geld volledig terug of vergelijkbare vervangende tickets. Je draait er "
        "niet voor op.",
    ),
    ask=say(
        "Would you prefer replacement tickets in a similar section, or a full refund if the "
        "seller can't transfer in time? And could you send a screenshot of the error?",
        "Heb je liever vervangende tickets in een vergelijkbaar vak, of je geld terug als de "
        "verkoper niet op tijd kan overzetten? En kun je een screenshot van de foutmelding "
        "sturen?",
    ),
    answer=say(
        "Replacement tickets if possible, otherwise the refund. The app says 'transfer revoked "
        "by sender'.",
        "Liefst vervangende tickets, anders het geld terug. In de app staat 'overdracht "
        "ingetrokken door afzender'.",
    ),
    third_party_note=say(
        "Emailed the {venue} box office: can the seats be reissued to the buyer directly? "
        "Warned {seller}: a second failed transfer blocks the listing.",
        "Kassa van {venue} gemaild: kunnen de plaatsen direct op naam van de koper? {seller} "
        "gewaarschuwd: een tweede mislukte overdracht blokkeert de advertentie.",
    ),
    hold_note=say(
        "Waiting for supervisor approval for replacement tickets above the original price.",
        "Wacht op akkoord van de supervisor voor vervangende tickets boven de oorspronkelijke "
        "prijs.",
    ),
    resolution=say(
        "The seller couldn't get the tickets to you, so I've cancelled order {order} and "
        "refunded {amount} to your original payment method. It usually shows within 3–5 "
        "working days. Sorry this one didn't work out.",
        "De verkoper kreeg de tickets niet bij je, dus ik heb bestelling {order} geannuleerd "
        "en {amount} teruggestort via je oorspronkelijke betaalmethode. Meestal staat het "
        "binnen 3–5 werkdagen op je rekening. Sorry dat het niet gelukt is.",
    ),
)

SELLER_CANCELLED = Script(
    key="seller_cancelled",
    requester="buyer",
    topic="Tickets",
    team=TICKETS_TEAM,
    tags=("tickets", "seller-cancelled"),
    weight=5,
    situation=OrderSituation(("event_ticket",), "transfer_failed", cancelled=True),
    reported_events=("order.cancelled_by_seller",),
    outcome="refund",
    subjects=subjects(
        ("Seller cancelled my tickets", "Order cancelled by the seller — do I get a refund?"),
        (
            "Verkoper heeft mijn tickets geannuleerd",
            "Bestelling geannuleerd door verkoper, krijg ik mijn geld terug?",
        ),
    ),
    opening=say(
        "The seller cancelled my tickets for {event}.\n"
        "I got an email that order {order} was cancelled, without any explanation. I'd really "
        "like to go — can you find me other tickets, or at least give my money back?",
        "De verkoper heeft mijn tickets voor {event} geannuleerd.\n"
        "Ik kreeg een mail dat bestelling {order} is geannuleerd, zonder uitleg. Ik wil er "
        "echt graag heen. Kunnen jullie andere tickets vinden, of anders mijn geld "
        "teruggeven?",
    ),
    reply=say(
        "I'm sorry the seller backed out. Your {amount} is protected: you'll get it back in "
        "full. I'm also checking whether other listings for {event} are available at a "
        "similar price.",
        "Wat vervelend dat de verkoper heeft afgezegd. Je {amount} is beschermd: je krijgt "
        "het volledig terug. Ik kijk ook of er andere aanbiedingen voor {event} zijn voor een "
        "vergelijkbare prijs.",
    ),
    ask=say(
        "There are two listings in a similar section, one slightly more expensive. Shall I "
        "reserve one for you, with us covering the difference, or do you prefer the refund?",
        "Er zijn twee aanbiedingen in een vergelijkbaar vak, één iets duurder. Zal ik er een "
        "voor je reserveren, waarbij wij het verschil betalen, of heb je liever je geld "
        "terug?",
    ),
    answer=say(
        "Just the refund please, I've made other plans now.",
        "Doe maar het geld terug, ik heb inmiddels iets anders gepland.",
    ),
    third_party_note=say(
        "{seller} says the tickets were sold twice by mistake. Asked for a written statement; "
        "flagged for seller review.",
        "{seller} zegt dat de tickets per ongeluk twee keer verkocht zijn. Schriftelijke "
        "verklaring gevraagd; gemarkeerd voor verkopersbeoordeling.",
    ),
    hold_note=say(
        "Seller account under review for repeated cancellations; waiting for trust & safety "
        "before deciding on compensation.",
        "Verkopersaccount wordt beoordeeld wegens herhaalde annuleringen; wachten op trust & "
        "safety voordat we over compensatie beslissen.",
    ),
    resolution=say(
        "I've refunded {amount} for order {order}; you'll see it within 3–5 working days. "
        "We've also taken action on the seller's account.",
        "Ik heb {amount} voor bestelling {order} teruggestort; binnen 3–5 werkdagen staat het "
        "op je rekening. We hebben ook actie ondernomen tegen het account van de verkoper.",
    ),
)

EVENT_POSTPONED = Script(
    key="event_postponed",
    requester="buyer",
    topic="Tickets",
    team=TICKETS_TEAM,
    tags=("tickets", "postponed"),
    weight=4,
    situation=OrderSituation(("event_ticket",), "transfer_done"),
    reported_events=("event.postponed",),
    subjects=subjects(
        ("{event} postponed — are my tickets still valid?", "Concert moved to a new date"),
        (
            "{event} uitgesteld, zijn mijn tickets nog geldig?",
            "Concert verplaatst naar een nieuwe datum",
        ),
    ),
    opening=say(
        "I read that {event} has been postponed.\n"
        "Are the tickets I bought from you (order {order}) still valid for the new date? And "
        "if I can't make the new date, can I get a refund?",
        "Ik las dat {event} is uitgesteld.\n"
        "Zijn de tickets die ik via jullie kocht (bestelling {order}) nog geldig voor de "
        "nieuwe datum? En als ik dan niet kan, krijg ik dan mijn geld terug?",
    ),
    reply=say(
        "Yes — when an event is postponed, tickets stay valid for the new date and you don't "
        "need to do anything. {venue} will confirm the new date by email.",
        "Ja, bij uitstel blijven tickets geldig voor de nieuwe datum en hoef je niets te doen. "
        "{venue} bevestigt de nieuwe datum per e-mail.",
    ),
    ask=say(
        "Do you already know whether you can make the new date? If not, I can help you relist "
        "the tickets on {brand}.",
        "Weet je al of je op de nieuwe datum kunt? Zo niet, dan help ik je de tickets opnieuw "
        "aan te bieden op {brand}.",
    ),
    answer=say(
        "I can't make the new date, unfortunately. How do I put them up for sale?",
        "Ik kan helaas niet op de nieuwe datum. Hoe zet ik ze te koop?",
    ),
    third_party_note=say(
        "Asked {venue} whether refunds will be offered for the postponed show; their policy "
        "decides what we can offer the buyer.",
        "{venue} gevraagd of er terugbetaling komt voor de uitgestelde show; hun beleid "
        "bepaalt wat we de koper kunnen bieden.",
    ),
    hold_note=say(
        "New date not announced yet. On hold until the organiser publishes it.",
        "Nieuwe datum nog niet bekend. On hold tot de organisator die publiceert.",
    ),
    resolution=say(
        "Your tickets are valid for the new date. If you can't go after all, relist them from "
        "'My orders' → 'Sell again'. Have a great evening!",
        "Je tickets zijn geldig voor de nieuwe datum. Kun je toch niet, zet ze dan te koop "
        "via 'Mijn bestellingen' → 'Opnieuw verkopen'. Veel plezier!",
    ),
)

NAME_ON_TICKET = Script(
    key="name_on_ticket",
    requester="buyer",
    topic="Tickets",
    team=TICKETS_TEAM,
    tags=("tickets", "name-change"),
    weight=4,
    situation=OrderSituation(("event_ticket",), "transfer_pending"),
    outcome="transfer_done",
    subjects=subjects(
        ("Tickets show the seller's name, not mine", "Wrong name on my ticket"),
        ("Op de tickets staat de naam van de verkoper", "Verkeerde naam op mijn ticket"),
    ),
    opening=say(
        "The tickets for {event} still have the seller's name on them.\n"
        "{venue} says they check ID at the entrance. Will I be let in? Order {order}.",
        "Op de tickets voor {event} staat nog de naam van de verkoper.\n"
        "{venue} zegt dat ze bij de ingang ID controleren. Kom ik dan wel binnen? Bestelling "
        "{order}.",
    ),
    reply=say(
        "Good that you checked. For {event} the name has to match, so the seller needs to "
        "make an official name change through {venue}. I've asked them to do it and to send "
        "us the confirmation.",
        "Goed dat je het checkt. Voor {event} moet de naam kloppen, dus de verkoper moet een "
        "officiële naamswijziging doen via {venue}. Ik heb gevraagd dat te doen en ons de "
        "bevestiging te sturen.",
    ),
    ask=say(
        "Could you confirm your full name exactly as it appears on your ID? That's what the "
        "seller has to enter.",
        "Kun je je volledige naam bevestigen, precies zoals die op je ID staat? Die moet de "
        "verkoper invullen.",
    ),
    answer=say("It's {name}, exactly like that.", "Het is {name}, precies zo."),
    third_party_note=say(
        "Name change request sent to {venue} customer service with the buyer's name; they "
        "answer within 2 working days.",
        "Verzoek tot naamswijziging naar de klantenservice van {venue} gestuurd met de naam "
        "van de koper; zij reageren binnen 2 werkdagen.",
    ),
    hold_note=say(
        "Name changes for this event open two weeks before the date. On hold until then.",
        "Naamswijzigingen voor dit evenement kunnen pas twee weken voor de datum. Tot dan on hold.",
    ),
    resolution=say(
        "The name change is done: the tickets for {event} are now in your name. Show them in "
        "the {venue} app at the entrance.",
        "De naamswijziging is rond: de tickets voor {event} staan nu op jouw naam. Laat ze bij "
        "de ingang zien in de app van {venue}.",
    ),
)

SCRIPTS = (
    TICKETS_NOT_RECEIVED,
    TRANSFER_FAILED,
    SELLER_CANCELLED,
    EVENT_POSTPONED,
    NAME_ON_TICKET,
)
