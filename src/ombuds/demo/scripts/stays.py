"""Resold hotel stays and flights: name changes that must go through before arrival."""

from ombuds.demo.catalogue import TICKETS_TEAM

from . import OrderSituation, Script, say, subjects

HOTEL_BOOKING_NOT_FOUND = Script(
    key="hotel_booking_not_found",
    requester="buyer",
    topic="Hotel booking",
    team=TICKETS_TEAM,
    tags=("hotel", "transfer-failed"),
    weight=8,
    pressing=True,
    situation=OrderSituation(("hotel",), "transfer_pending"),
    reported_events=("booking.transfer_failed",),
    outcome="transfer_done",
    subjects=subjects(
        (
            "Hotel says my booking doesn't exist",
            "{hotel} can't find my reservation",
            "Booking not found by the hotel",
        ),
        (
            "Hotel zegt dat mijn boeking niet bestaat",
            "{hotel} kan mijn reservering niet vinden",
            "Boeking niet gevonden door het hotel",
        ),
    ),
    opening=say(
        "{hotel} says my booking doesn't exist.\n"
        "I called them about my stay from {checkin} and they can't find a reservation under "
        "my name or under confirmation code {code}. I paid {amount} for order {order}. I'm "
        "travelling soon — please help!",
        "{hotel} zegt dat mijn boeking niet bestaat.\n"
        "Ik heb ze gebeld over mijn verblijf vanaf {checkin} en ze kunnen geen reservering "
        "vinden op mijn naam of met bevestigingscode {code}. Ik heb {amount} betaald voor "
        "bestelling {order}. Ik vertrek binnenkort, help alsjeblieft!",
    ),
    reply=say(
        "Thank you for calling the hotel in advance — that gives us time. A reservation resold "
        "on {brand} is often still under the original guest's name until the name change goes "
        "through, which is why the hotel couldn't find it. I'm contacting {hotel} and the "
        "seller now.",
        "Fijn dat je het hotel vooraf hebt gebeld, dan hebben we tijd. Een reservering die via "
        "{brand} is doorverkocht staat vaak nog op naam van de oorspronkelijke gast tot de "
        "naamswijziging rond is; daarom kon het hotel hem niet vinden. Ik neem nu contact op "
        "met {hotel} en de verkoper.",
    ),
    ask=say(
        "Could you tell me who you spoke to at the hotel, and when? It helps when I contact "
        "their reservations team.",
        "Kun je me laten weten wie je bij het hotel sprak, en wanneer? Dat helpt als ik hun "
        "reserveringsafdeling benader.",
    ),
    answer=say(
        "Someone called Marco at the front desk, yesterday around 4 pm.",
        "Iemand die Marco heette, bij de receptie, gisteren rond 16:00 uur.",
    ),
    third_party_note=say(
        "Emailed {hotel} reservations: booking {code} is under the seller's name ({holder}); "
        "asked them to put the buyer on it. Called the front desk as well; they confirm by "
        "email.",
        "{hotel} reserveringen gemaild: boeking {code} staat op naam van de verkoper "
        "({holder}); gevraagd de koper erop te zetten. Ook de receptie gebeld; zij bevestigen "
        "per e-mail.",
    ),
    hold_note=say(
        "The hotel's reservations office is closed for the weekend and the front desk can't "
        "change prepaid bookings. Picking this up Monday morning.",
        "De reserveringsafdeling van het hotel is het weekend dicht en de receptie kan "
        "vooruitbetaalde boekingen niet wijzigen. Maandagochtend verder.",
    ),
    resolution=say(
        "Sorted: {hotel} has confirmed your reservation {code} from {checkin}, now in your "
        "name. Just give your name at check-in. Have a good trip!",
        "Geregeld: {hotel} heeft je reservering {code} vanaf {checkin} bevestigd, nu op jouw "
        "naam. Bij het inchecken noem je alleen je naam. Goede reis!",
    ),
)

HOTEL_NAME_CHANGE = Script(
    key="hotel_name_change",
    requester="buyer",
    topic="Hotel booking",
    team=TICKETS_TEAM,
    tags=("hotel", "name-change"),
    weight=5,
    situation=OrderSituation(("hotel",), "transfer_pending"),
    outcome="transfer_done",
    subjects=subjects(
        (
            "Name change on my hotel booking still pending",
            "Is the reservation at {hotel} in my name yet?",
        ),
        (
            "Naamswijziging hotelboeking nog niet gedaan",
            "Staat de reservering bij {hotel} al op mijn naam?",
        ),
    ),
    opening=say(
        "My hotel reservation still isn't in my name.\n"
        "I bought the stay at {hotel} in {city} ({checkin} – {checkout}) a while ago and the "
        "order still says 'name change pending'. Is that normal?",
        "Mijn hotelreservering staat nog steeds niet op mijn naam.\n"
        "Ik kocht een tijd geleden het verblijf in {hotel} in {city} ({checkin} – "
        "{checkout}) en bij de bestelling staat nog 'naamswijziging in behandeling'. Is dat "
        "normaal?",
    ),
    reply=say(
        "It can take a few days, but it should be done by {due}. I've asked the seller to "
        "complete the name change with {hotel} and send us the hotel's confirmation.",
        "Het kan een paar dagen duren, maar voor {due} moet het rond zijn. Ik heb de verkoper "
        "gevraagd de naamswijziging bij {hotel} af te ronden en ons de bevestiging van het "
        "hotel te sturen.",
    ),
    ask=say(
        "Will anyone else be staying with you? The hotel asks for every guest's name with the "
        "change.",
        "Verblijft er nog iemand met je mee? Het hotel vraagt bij de wijziging de namen van "
        "alle gasten.",
    ),
    answer=say(
        "Yes, my partner will be with me. I'll send the name in a separate message.",
        "Ja, mijn partner gaat mee. Ik stuur de naam in een apart bericht.",
    ),
    third_party_note=say(
        "{seller} has sent the name change form to {hotel}; waiting for the hotel's "
        "confirmation email.",
        "{seller} heeft het wijzigingsformulier naar {hotel} gestuurd; wachten op de "
        "bevestigingsmail van het hotel.",
    ),
    hold_note=say(
        "The hotel only processes name changes 7 days before arrival. On hold until then.",
        "Het hotel verwerkt naamswijzigingen pas 7 dagen voor aankomst. Tot dan on hold.",
    ),
    resolution=say(
        "{hotel} has confirmed the name change: reservation {code} is now in your name. "
        "Enjoy {city}!",
        "{hotel} heeft de naamswijziging bevestigd: reservering {code} staat nu op jouw naam. "
        "Veel plezier in {city}!",
    ),
)

HOTEL_ASKS_PAYMENT = Script(
    key="hotel_asks_payment",
    requester="buyer",
    topic="Hotel booking",
    team=TICKETS_TEAM,
    tags=("hotel", "payment", "phishing-check"),
    weight=3,
    situation=OrderSituation(("hotel",), "transfer_done"),
    subjects=subjects(
        ("Hotel wants me to pay again at check-in", "Asked to pay for a prepaid room"),
        (
            "Hotel wil dat ik bij het inchecken opnieuw betaal",
            "Moet opnieuw betalen voor een vooruitbetaalde kamer",
        ),
    ),
    opening=say(
        "{hotel} wants me to pay for the room again.\n"
        "They emailed that the card on file was declined and that I have to pay at check-in. "
        "But I already paid {amount} for order {order}!",
        "{hotel} wil dat ik opnieuw voor de kamer betaal.\n"
        "Ik kreeg een mail dat de kaart die bij hen bekend is werd geweigerd en dat ik bij het "
        "inchecken moet betalen. Maar ik heb al {amount} betaald voor bestelling {order}!",
    ),
    reply=say(
        "You won't pay twice. The room was prepaid by the original guest; the hotel's message "
        "is probably about a deposit for extras. I'm checking with {hotel} to be sure.",
        "Je betaalt niet twee keer. De kamer is vooruitbetaald door de oorspronkelijke gast; "
        "het bericht van het hotel gaat waarschijnlijk over een borg voor extra's. Ik check "
        "het bij {hotel} om zeker te zijn.",
    ),
    ask=say(
        "Could you forward the hotel's email to us? Please don't click any payment link in it "
        "until we've checked it — emails like this are sometimes phishing.",
        "Kun je de mail van het hotel naar ons doorsturen? Klik alsjeblieft nog niet op een "
        "betaallink in die mail tot wij hem gecheckt hebben: zulke mails zijn soms phishing.",
    ),
    answer=say(
        "Forwarded it just now. I didn't click anything.",
        "Net doorgestuurd. Ik heb nergens op geklikt.",
    ),
    third_party_note=say(
        "Asked {hotel} to confirm in writing that reservation {code} is fully prepaid and only "
        "a deposit for extras applies.",
        "{hotel} gevraagd schriftelijk te bevestigen dat reservering {code} volledig "
        "vooruitbetaald is en alleen een borg voor extra's geldt.",
    ),
    hold_note=say(
        "Possible phishing: forwarded the email to security. On hold until they report back.",
        "Mogelijk phishing: mail doorgestuurd naar security. On hold tot zij terugkoppelen.",
    ),
    resolution=say(
        "{hotel} confirms your room is fully paid. At check-in they only ask for a card for "
        "the deposit, which is released when you leave.",
        "{hotel} bevestigt dat je kamer volledig betaald is. Bij het inchecken vragen ze "
        "alleen een kaart voor de borg, die bij vertrek weer vrijkomt.",
    ),
)

FLIGHT_NAME_CHANGE = Script(
    key="flight_name_change",
    requester="buyer",
    topic="Flight",
    team=TICKETS_TEAM,
    tags=("flight", "name-change"),
    weight=3,
    pressing=True,
    situation=OrderSituation(("flight",), "transfer_pending"),
    outcome="refund",
    subjects=subjects(
        ("Airline won't change the name on my ticket", "Name change for flight {flight}"),
        (
            "Luchtvaartmaatschappij wil de naam op mijn ticket niet wijzigen",
            "Naamswijziging voor vlucht {flight}",
        ),
    ),
    opening=say(
        "{airline} refuses to change the name on my ticket.\n"
        "I bought the flight {route} ({flight}, {date}) from you, order {order}. When I called "
        "{airline} they said the ticket is non-transferable. Have I lost my money?",
        "{airline} weigert de naam op mijn ticket te wijzigen.\n"
        "Ik kocht de vlucht {route} ({flight}, {date}) via jullie, bestelling {order}. Toen ik "
        "{airline} belde zeiden ze dat het ticket niet overdraagbaar is. Ben ik mijn geld nu "
        "kwijt?",
    ),
    reply=say(
        "No, you're covered. Some airlines only accept a name change from the original "
        "booker, so the seller has to request it. I've asked the seller to do that today.",
        "Nee, je bent gedekt. Sommige maatschappijen accepteren alleen een naamswijziging van "
        "degene die oorspronkelijk boekte, dus de verkoper moet het aanvragen. Ik heb de "
        "verkoper gevraagd dat vandaag te doen.",
    ),
    ask=say(
        "Can you send a photo of the name page of your passport? {airline} needs the name "
        "exactly as printed there.",
        "Kun je een foto sturen van de pagina met je naam in je paspoort? {airline} heeft de "
        "naam nodig precies zoals die daar staat.",
    ),
    answer=say(
        "Sent it through the upload link. My middle name is on it too.",
        "Via de uploadlink gestuurd. Mijn tweede naam staat er ook op.",
    ),
    third_party_note=say(
        "{seller} filed the name change with {airline}; per our terms the fee is on the "
        "seller. Waiting for the new e-ticket.",
        "{seller} heeft de naamswijziging bij {airline} ingediend; volgens onze voorwaarden "
        "zijn de kosten voor de verkoper. Wachten op het nieuwe e-ticket.",
    ),
    hold_note=say(
        "{airline} is reviewing whether this fare allows a name change at all. On hold until "
        "they answer.",
        "{airline} bekijkt of dit tarief überhaupt een naamswijziging toestaat. On hold tot "
        "hun antwoord.",
    ),
    resolution=say(
        "{airline} does not allow a name change on this fare, so I've cancelled order {order} "
        "and refunded {amount} in full. I'm sorry it didn't work out.",
        "{airline} staat bij dit tarief geen naamswijziging toe, dus ik heb bestelling "
        "{order} geannuleerd en {amount} volledig teruggestort. Jammer dat het niet gelukt is.",
    ),
)

SCRIPTS = (
    HOTEL_BOOKING_NOT_FOUND,
    HOTEL_NAME_CHANGE,
    HOTEL_ASKS_PAYMENT,
    FLIGHT_NAME_CHANGE,
)
