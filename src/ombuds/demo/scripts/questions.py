"""Money questions, prospects asking before they buy, and sellers asking about payouts."""

from ombuds.demo.catalogue import GOODS_TEAM, TICKETS_TEAM

from . import OrderSituation, Script, say, subjects

CHARGED_TWICE = Script(
    key="charged_twice",
    requester="buyer",
    topic="Payment",
    team=TICKETS_TEAM,
    tags=("payment", "duplicate-charge"),
    weight=6,
    pressing=True,
    situation=OrderSituation(("event_ticket", "goods"), "", payment="duplicate"),
    outcome="refund_duplicate",
    subjects=subjects(
        ("Charged twice", "Double payment for order {order}", "I was charged twice!"),
        (
            "Twee keer afgeschreven",
            "Dubbele betaling voor bestelling {order}",
            "Ik heb twee keer betaald!",
        ),
    ),
    opening=say(
        "I've been charged twice for one order.\n"
        "My bank shows two payments of {amount} for order {order}. I only ordered once. Please "
        "refund the second one.",
        "Er is twee keer geld afgeschreven voor één bestelling.\n"
        "Op mijn afschrift staan twee betalingen van {amount} voor bestelling {order}. Ik heb "
        "maar één keer besteld. Graag de tweede terugstorten.",
    ),
    reply=say(
        "You're right: I can see two captured payments for order {order}. The second one is a "
        "duplicate and will be refunded in full — you don't need to do anything.",
        "Je hebt gelijk: ik zie twee betalingen voor bestelling {order}. De tweede is dubbel "
        "en wordt volledig teruggestort; je hoeft verder niets te doen.",
    ),
    ask=say(
        "To match it with your bank: do both payments show the same date and description on "
        "your statement?",
        "Om het met je bank te vergelijken: hebben beide betalingen op je afschrift dezelfde "
        "datum en omschrijving?",
    ),
    answer=say(
        "Same date, two minutes apart, both with the {brand} description.",
        "Zelfde datum, twee minuten na elkaar, allebei met de omschrijving van {brand}.",
    ),
    third_party_note=say(
        "Reported the duplicate capture to the payment provider; asked for the cause (double "
        "submit at checkout?).",
        "Dubbele afschrijving gemeld bij de betaalprovider; gevraagd naar de oorzaak (dubbel "
        "verzonden bij het afrekenen?).",
    ),
    hold_note=say(
        "Finance is checking whether this is one of the duplicate captures from the checkout "
        "incident; a batch refund is planned.",
        "Finance controleert of dit een van de dubbele afschrijvingen van de storing bij het "
        "afrekenen is; er is een batchterugbetaling gepland.",
    ),
    resolution=say(
        "The duplicate payment of {amount} has been refunded. Depending on your bank it shows "
        "within 3–5 working days. Sorry for the scare.",
        "De dubbele betaling van {amount} is teruggestort. Afhankelijk van je bank staat het "
        "binnen 3–5 werkdagen op je rekening. Sorry voor de schrik.",
    ),
)

REFUND_NOT_ARRIVED = Script(
    key="refund_not_arrived",
    requester="buyer",
    topic="Payment",
    team=GOODS_TEAM,
    tags=("payment", "refund"),
    weight=5,
    situation=OrderSituation(("goods", "event_ticket"), "", payment="partially_refunded"),
    subjects=subjects(
        ("When will I get my refund?", "Refund not received yet"),
        ("Wanneer krijg ik mijn geld terug?", "Terugbetaling nog niet ontvangen"),
    ),
    opening=say(
        "I was promised a refund but haven't received it.\n"
        "Support told me part of order {order} would be refunded. It's been a week. When will "
        "the money be in my account?",
        "Mij is een terugbetaling beloofd, maar ik heb nog niets ontvangen.\n"
        "De klantenservice zei dat een deel van bestelling {order} terugbetaald zou worden. "
        "Het is nu een week later. Wanneer staat het geld op mijn rekening?",
    ),
    reply=say(
        "The refund of {refund} left our side to your payment method. Banks usually take 3–5 "
        "working days, card issuers sometimes up to 10.",
        "De terugbetaling van {refund} is bij ons verstuurd naar je betaalmethode. Banken doen "
        "er meestal 3–5 werkdagen over, creditcardmaatschappijen soms tot 10.",
    ),
    ask=say(
        "Which payment method did you use — iDEAL, card or PayPal? Then I can tell you exactly "
        "where to look.",
        "Welke betaalmethode gebruikte je: iDEAL, creditcard of PayPal? Dan kan ik precies "
        "zeggen waar je moet kijken.",
    ),
    answer=say("I paid by card.", "Ik betaalde met creditcard."),
    third_party_note=say(
        "Asked the payment provider for the refund's acquirer reference, so the buyer's bank "
        "can trace it.",
        "Betaalprovider gevraagd om het referentienummer van de terugbetaling, zodat de bank "
        "van de koper hem kan traceren.",
    ),
    hold_note=say(
        "Waiting for the provider's settlement report to confirm the refund left.",
        "Wachten op het afrekeningsrapport van de provider om te bevestigen dat de "
        "terugbetaling is verstuurd.",
    ),
    resolution=say(
        "The refund of {refund} is processed on our side; your card issuer shows it as a "
        "credit. If it hasn't appeared in 10 working days, write to us again and we'll give "
        "you the reference for your bank.",
        "De terugbetaling van {refund} is bij ons verwerkt; je creditcardmaatschappij toont "
        "hem als creditering. Zie je hem na 10 werkdagen nog niet, stuur ons dan een bericht "
        "en we geven je het referentienummer voor je bank.",
    ),
)

SAFE_TO_BUY = Script(
    key="safe_to_buy",
    requester="prospect",
    topic="Before buying",
    team=TICKETS_TEAM,
    tags=("pre-sale",),
    weight=5,
    subjects=subjects(
        (
            "Is it safe to buy resold tickets?",
            "Question before I buy",
            "How do I know the tickets are real?",
        ),
        (
            "Is het veilig om doorverkochte tickets te kopen?",
            "Vraag voordat ik koop",
            "Hoe weet ik dat de tickets echt zijn?",
        ),
    ),
    opening=say(
        "Is it safe to buy resold tickets on {brand}?\n"
        "I want to buy two tickets for {event}, but I've read stories about fake tickets. What "
        "happens if the tickets don't work at the door?",
        "Is het veilig om doorverkochte tickets te kopen op {brand}?\n"
        "Ik wil twee tickets kopen voor {event}, maar ik heb verhalen gelezen over "
        "nepkaartjes. Wat gebeurt er als de tickets bij de ingang niet werken?",
    ),
    reply=say(
        "Good question. On {brand} your payment is held until the tickets are transferred to "
        "you, and every order is covered by our ticket guarantee: if the tickets don't arrive "
        "or don't work, you get replacement tickets or your money back.",
        "Goede vraag. Bij {brand} houden we je betaling vast tot de tickets aan jou zijn "
        "overgezet, en elke bestelling valt onder onze ticketgarantie: komen de tickets niet "
        "aan of werken ze niet, dan krijg je vervangende tickets of je geld terug.",
    ),
    ask=say(
        "Are you looking at tickets transferred through the venue's app, or PDF tickets? The "
        "transfer works a little differently for each.",
        "Gaat het om tickets die via de app van de locatie worden overgezet, of om "
        "pdf-tickets? De overdracht werkt voor elk net anders.",
    ),
    answer=say(
        "App tickets I think, the listing says 'mobile transfer'.",
        "Ik denk app-tickets, in de advertentie staat 'mobiele overdracht'.",
    ),
    third_party_note=say(
        "Asked the ticketing team whether the organiser has enabled mobile transfers for "
        "{event} yet.",
        "Ticketteam gevraagd of de organisator mobiele overdracht voor {event} al heeft aangezet.",
    ),
    hold_note=say(
        "Waiting for the organiser's transfer policy for {event} before answering.",
        "Wachten op het overdrachtsbeleid van de organisator van {event} voordat we antwoorden.",
    ),
    resolution=say(
        "With mobile transfer the tickets land in your own account in the venue's app, in "
        "your name — the safest way to buy resold tickets. If anything goes wrong, our "
        "guarantee covers you.",
        "Bij mobiele overdracht komen de tickets in je eigen account in de app van de "
        "locatie, op jouw naam. Dat is de veiligste manier om doorverkochte tickets te kopen. "
        "Gaat er iets mis, dan ben je gedekt door onze garantie.",
    ),
)

HOTEL_RESALE_QUESTION = Script(
    key="hotel_resale_question",
    requester="prospect",
    topic="Before buying",
    team=TICKETS_TEAM,
    tags=("pre-sale", "hotel"),
    weight=3,
    subjects=subjects(
        ("Can I stay in a room booked in someone else's name?", "How do hotel transfers work?"),
        (
            "Kan ik in een kamer verblijven die op iemand anders naam is geboekt?",
            "Hoe werkt het overzetten van een hotelboeking?",
        ),
    ),
    opening=say(
        "How does buying someone else's hotel booking work?\n"
        "I see a room at {hotel} in {city} for much less than the hotel's own price. Will the "
        "hotel accept me if someone else made the booking?",
        "Hoe werkt het kopen van de hotelboeking van iemand anders?\n"
        "Ik zie een kamer in {hotel} in {city} voor veel minder dan de prijs van het hotel "
        "zelf. Accepteert het hotel mij als iemand anders de boeking heeft gemaakt?",
    ),
    reply=say(
        "After you buy, the seller asks the hotel to change the guest name to yours, and we "
        "only pay the seller once the hotel has confirmed it. If the name change fails, you "
        "get your money back.",
        "Na je aankoop vraagt de verkoper het hotel de naam van de gast in jouw naam te "
        "veranderen, en we betalen de verkoper pas als het hotel dat heeft bevestigd. Lukt de "
        "naamswijziging niet, dan krijg je je geld terug.",
    ),
    ask=say(
        "Which dates are you looking at? Some hotels don't allow name changes close to "
        "arrival; I can check that for you.",
        "Voor welke data kijk je? Sommige hotels staan vlak voor aankomst geen "
        "naamswijziging meer toe; dat kan ik voor je nakijken.",
    ),
    answer=say("From {checkin}, two nights.", "Vanaf {checkin}, twee nachten."),
    third_party_note=say(
        "Checking {hotel}'s name change policy with the bookings team.",
        "Het beleid voor naamswijzigingen van {hotel} nagevraagd bij het boekingsteam.",
    ),
    hold_note=say(
        "Waiting for {hotel}'s policy on name changes.",
        "Wachten op het beleid van {hotel} voor naamswijzigingen.",
    ),
    resolution=say(
        "{hotel} accepts name changes up to 3 days before arrival, so your dates work. Once "
        "you've bought it, your order shows the status of the name change.",
        "{hotel} accepteert naamswijzigingen tot 3 dagen voor aankomst, dus jouw data kunnen. "
        "Na je aankoop zie je bij je bestelling de status van de naamswijziging.",
    ),
)

SELLER_PAYOUT = Script(
    key="seller_payout",
    requester="seller",
    topic="Selling",
    team=TICKETS_TEAM,
    tags=("seller", "payout"),
    weight=4,
    situation=OrderSituation(("event_ticket",), "transfer_done"),
    subjects=subjects(
        ("When do I get paid for my sold tickets?", "Payout for order {order} missing"),
        (
            "Wanneer krijg ik betaald voor mijn verkochte tickets?",
            "Uitbetaling voor bestelling {order} ontbreekt",
        ),
    ),
    opening=say(
        "I haven't been paid for tickets I sold.\n"
        "The buyer of order {order} ({event}) has had the tickets for days, but the payout of "
        "{amount} hasn't reached my account.",
        "Ik heb nog geen geld gekregen voor tickets die ik heb verkocht.\n"
        "De koper van bestelling {order} ({event}) heeft de tickets al dagen, maar de "
        "uitbetaling van {amount} staat nog niet op mijn rekening.",
    ),
    reply=say(
        "Thanks for selling on {brand}. Payouts for tickets are released after the event has "
        "taken place, so buyers are covered if something goes wrong at the door. For {event} "
        "that's after {date}.",
        "Bedankt dat je verkoopt via {brand}. Uitbetalingen voor tickets worden vrijgegeven "
        "nadat het evenement heeft plaatsgevonden, zodat kopers gedekt zijn als er bij de "
        "ingang iets misgaat. Voor {event} is dat na {date}.",
    ),
    ask=say(
        "I also see your bank account isn't verified yet. Could you upload a bank statement "
        "or screenshot showing your name and IBAN?",
        "Ik zie ook dat je bankrekening nog niet is geverifieerd. Kun je een bankafschrift of "
        "screenshot uploaden met je naam en IBAN?",
    ),
    answer=say(
        "Uploaded a screenshot from my banking app.",
        "Screenshot uit mijn bankapp geüpload.",
    ),
    third_party_note=say(
        "Sent the IBAN document to the payment provider for verification (KYC).",
        "IBAN-document naar de betaalprovider gestuurd voor verificatie (KYC).",
    ),
    hold_note=say(
        "Payout held: identity check (KYC) pending at the payment provider.",
        "Uitbetaling vastgehouden: identiteitscontrole (KYC) loopt bij de betaalprovider.",
    ),
    resolution=say(
        "Your account is verified and the payout for order {order} has been released. It "
        "should arrive within 2 working days.",
        "Je account is geverifieerd en de uitbetaling voor bestelling {order} is vrijgegeven. "
        "Binnen 2 werkdagen staat het op je rekening.",
    ),
)

SELLER_DISPUTES_CLAIM = Script(
    key="seller_disputes_claim",
    requester="seller",
    topic="Selling",
    team=TICKETS_TEAM,
    tags=("seller", "proof-of-transfer"),
    weight=3,
    situation=OrderSituation(("event_ticket",), "transfer_done"),
    subjects=subjects(
        ("Buyer says tickets never arrived, but I sent them", "Claim on order {order}"),
        (
            "Koper zegt dat de tickets niet aankwamen, maar ik heb ze verstuurd",
            "Claim op bestelling {order}",
        ),
    ),
    opening=say(
        "The buyer of order {order} says they never got the tickets, but I transferred them.\n"
        "I have a confirmation from the {venue} app. I don't want my payout held back for "
        "this.",
        "De koper van bestelling {order} zegt dat hij de tickets nooit heeft gekregen, maar ik "
        "heb ze overgezet.\nIk heb een bevestiging uit de app van {venue}. Ik wil niet dat "
        "mijn uitbetaling hierdoor wordt tegengehouden.",
    ),
    reply=say(
        "Thanks for reaching out. Proof of transfer settles this quickly: the {venue} "
        "confirmation shows the receiving account and the time.",
        "Bedankt voor je bericht. Met een bewijs van overdracht is dit snel opgelost: de "
        "bevestiging van {venue} laat het ontvangende account en het tijdstip zien.",
    ),
    ask=say(
        "Could you upload a screenshot of the transfer confirmation, showing the recipient's "
        "email address?",
        "Kun je een screenshot uploaden van de overdrachtsbevestiging, met het e-mailadres van "
        "de ontvanger?",
    ),
    answer=say(
        "Uploaded. You can see the buyer's email and the time of the transfer.",
        "Geüpload. Je ziet het e-mailadres van de koper en het tijdstip van de overdracht.",
    ),
    third_party_note=say(
        "Asked {venue} to confirm which account holds the tickets now.",
        "{venue} gevraagd te bevestigen op welk account de tickets nu staan.",
    ),
    hold_note=say(
        "Payout frozen while the buyer's claim is reviewed; mediation if they still disagree.",
        "Uitbetaling bevroren zolang de claim van de koper wordt beoordeeld; bemiddeling als "
        "ze het oneens blijven.",
    ),
    resolution=say(
        "{venue} confirms the tickets are in the buyer's account. We've closed the claim in "
        "your favour; your payout is released as normal.",
        "{venue} bevestigt dat de tickets op het account van de koper staan. We hebben de "
        "claim in jouw voordeel afgesloten; je uitbetaling wordt normaal vrijgegeven.",
    ),
)

SCRIPTS = (
    CHARGED_TWICE,
    REFUND_NOT_ARRIVED,
    SAFE_TO_BUY,
    HOTEL_RESALE_QUESTION,
    SELLER_PAYOUT,
    SELLER_DISPUTES_CLAIM,
)
