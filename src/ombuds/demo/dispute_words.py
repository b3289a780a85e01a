"""What the buyers, sellers and agents of the demo disputes write, in English and Dutch.

Customer content, like the case scripts: each text exists in both languages and the
dispute's language picks one. `{order}` is the order's number."""

from __future__ import annotations

WORDS: dict[str, dict[str, str]] = {
    # --- a damaged item, the buyer first tries the seller --------------------------
    "damaged.claim": {
        "en": "The lamp from order {order} arrived with the glass shade cracked in two "
        "places. The box was dented on one corner. I would like part of the price back; "
        "I can glue the shade but it will never look new.",
        "nl": "De lamp van bestelling {order} kwam binnen met de glazen kap op twee plekken "
        "gebarsten. De doos had een deuk in een hoek. Ik wil graag een deel van het geld "
        "terug; de kap is te lijmen maar wordt nooit meer als nieuw.",
    },
    "damaged.buyer_to_seller": {
        "en": "Hi, I opened this because the shade is cracked. Happy to sort it out with you "
        "directly: photos are attached to the dispute.",
        "nl": "Hoi, ik heb dit geopend omdat de kap gebarsten is. Ik los het graag samen met "
        "je op: de foto's staan bij het geschil.",
    },
    "damaged.seller_asks": {
        "en": "Sorry to hear that. Could you send a photo of the box as well? Then I can "
        "file it with the courier.",
        "nl": "Vervelend om te horen. Kun je ook een foto van de doos sturen? Dan meld ik "
        "het bij de vervoerder.",
    },
    "damaged.photo_note": {
        "en": "Photos of the shade and the dented box, taken on unpacking.",
        "nl": "Foto's van de kap en de gedeukte doos, gemaakt bij het uitpakken.",
    },
    # --- a parcel the tracking calls delivered -------------------------------------
    "missing.claim": {
        "en": "Tracking for order {order} says delivered, but nothing was left at my door "
        "or with the neighbours. I was home all afternoon.",
        "nl": "Volgens de track & trace is bestelling {order} bezorgd, maar er lag niets voor "
        "de deur of bij de buren. Ik was de hele middag thuis.",
    },
    # --- tickets that did not come in time (opened by an agent) --------------------
    "tickets.claim": {
        "en": "The buyer called: the tickets of order {order} were promised 48 hours before "
        "the doors open and have still not been transferred. The event is this weekend.",
        "nl": "De koper belde: de tickets van bestelling {order} zouden 48 uur voor aanvang "
        "worden overgezet en zijn er nog steeds niet. Het evenement is dit weekend.",
    },
    "tickets.internal": {
        "en": "Opened on the buyer's behalf after the phone call. Seller has answered within "
        "a day on earlier orders; if the deadline passes, move straight to mediation.",
        "nl": "Namens de koper geopend na het telefoongesprek. Verkoper reageerde bij eerdere "
        "bestellingen binnen een dag; gaat de termijn voorbij, dan direct naar bemiddeling.",
    },
    # --- lost parcel, the seller stays silent (overdue) ----------------------------
    "lost.claim": {
        "en": "My parcel for order {order} has not moved in the tracking for eight days. "
        "The courier says to ask the sender. I want my money back.",
        "nl": "Mijn pakket van bestelling {order} staat al acht dagen stil in de track & "
        "trace. De vervoerder zegt dat ik bij de afzender moet zijn. Ik wil mijn geld terug.",
    },
    "lost.buyer_chases": {
        "en": "Still nothing from the seller. Can you help?",
        "nl": "Nog steeds niets van de verkoper gehoord. Kunnen jullie helpen?",
    },
    # --- a partial refund on offer -------------------------------------------------
    "scratched.claim": {
        "en": "The coffee machine from order {order} works, but the side panel is deeply "
        "scratched and the drip tray is missing. That is not what the listing showed.",
        "nl": "De koffiemachine van bestelling {order} werkt, maar het zijpaneel heeft diepe "
        "krassen en het lekbakje ontbreekt. Dat is niet wat de advertentie liet zien.",
    },
    "scratched.offer": {
        "en": "I am sorry, the tray must have been left out when packing. I offer part of "
        "the price back and you keep the machine; a spare tray is on its way as well.",
        "nl": "Excuses, het lekbakje is bij het inpakken blijven liggen. Ik bied een deel van "
        "het bedrag terug en je houdt de machine; een los lekbakje komt er ook aan.",
    },
    "scratched.buyer_asks_platform": {
        "en": "Is this a fair offer? The scratches are quite deep.",
        "nl": "Is dit een redelijk bod? De krassen zijn best diep.",
    },
    "scratched.agent_answers": {
        "en": "For cosmetic damage with the item kept, offers like this are usual. You can "
        "accept it, or escalate to us before the deadline if you disagree.",
        "nl": "Bij cosmetische schade waarbij je het artikel houdt is zo'n bod gebruikelijk. "
        "Je kunt het accepteren, of vóór de termijn naar ons escaleren als je het er niet "
        "mee eens bent.",
    },
    # --- contested: the seller has proof of delivery -------------------------------
    "signed.claim": {
        "en": "Order {order} never reached me. The tracking shows a signature I do not recognise.",
        "nl": "Bestelling {order} heb ik nooit ontvangen. In de track & trace staat een "
        "handtekening die ik niet herken.",
    },
    "signed.contest": {
        "en": "The parcel was signed for at the buyer's address; the courier's proof of "
        "delivery with the signature and GPS position is attached. I shipped exactly what "
        "was ordered.",
        "nl": "Het pakket is op het adres van de koper afgetekend; het afleverbewijs van de "
        "vervoerder met handtekening en GPS-positie zit erbij. Ik heb precies verstuurd wat "
        "er besteld was.",
    },
    "signed.buyer_answers": {
        "en": "That signature is not mine and nobody here has that name. I will ask the "
        "building's caretaker.",
        "nl": "Die handtekening is niet van mij en niemand hier heet zo. Ik vraag het na bij "
        "de beheerder van het gebouw.",
    },
    # --- a silent seller: the sweep escalates --------------------------------------
    "late.claim": {
        "en": "Order {order} was promised within three working days; it is now two weeks "
        "and the seller does not answer. I needed it for a birthday that has passed.",
        "nl": "Bestelling {order} zou binnen drie werkdagen komen; het is nu twee weken "
        "later en de verkoper reageert niet. Ik had het nodig voor een verjaardag die "
        "inmiddels voorbij is.",
    },
    "late.agent_to_seller": {
        "en": "Please tell us within two days whether order {order} was shipped and with "
        "which carrier; without proof of shipment we will decide for the buyer.",
        "nl": "Laat ons binnen twee dagen weten of bestelling {order} is verzonden en met "
        "welke vervoerder; zonder verzendbewijs beslissen we in het voordeel van de koper.",
    },
    "late.internal": {
        "en": "Seller has three other late orders this month. Check the scorecard before "
        "deciding; a full refund at the seller's cost looks right if nothing comes.",
        "nl": "Verkoper heeft deze maand nog drie andere late bestellingen. Bekijk de "
        "scorekaart voor de beslissing; volledige terugbetaling op kosten van de verkoper "
        "ligt voor de hand als er niets komt.",
    },
    "late.agent_to_buyer": {
        "en": "We have taken over your dispute and asked the seller for proof of shipment. "
        "We will come back to you by the end of the week at the latest.",
        "nl": "We hebben je geschil overgenomen en de verkoper om een verzendbewijs gevraagd. "
        "Uiterlijk eind van de week hoor je van ons.",
    },
    # --- a seller who backed out contests, the buyer escalates ---------------------
    "cancelled.claim": {
        "en": "The seller cancelled my tickets for order {order} two days before the "
        "concert, after the price went up. I had already booked a train and a hotel.",
        "nl": "De verkoper heeft mijn tickets van bestelling {order} twee dagen voor het "
        "concert geannuleerd, nadat de prijs was gestegen. Ik had al trein en hotel geboekt.",
    },
    "cancelled.contest": {
        "en": "I did not back out for the price: the organiser cancelled my original "
        "tickets and I could not transfer them. I refunded the ticket price already.",
        "nl": "Ik ben niet afgehaakt om de prijs: de organisator heeft mijn oorspronkelijke "
        "tickets geblokkeerd en ik kon ze niet overzetten. De ticketprijs heb ik al "
        "terugbetaald.",
    },
    "cancelled.escalate": {
        "en": "The refund has not arrived, and the same tickets are listed again at a "
        "higher price. I would like the platform to look at this.",
        "nl": "De terugbetaling is niet binnen, en dezelfde tickets staan opnieuw te koop "
        "voor een hogere prijs. Ik wil graag dat het platform hiernaar kijkt.",
    },
    "cancelled.internal": {
        "en": "Listing history confirms a relist 6 hours after the cancellation at +40%. "
        "No refund found in the payments. Asked the seller for the organiser's email.",
        "nl": "De advertentiegeschiedenis toont een nieuwe plaatsing 6 uur na de annulering, "
        "40% duurder. Geen terugbetaling gevonden in de betalingen. Verkoper gevraagd om de "
        "e-mail van de organisator.",
    },
    "cancelled.agent_to_seller": {
        "en": "Please send us the organiser's message about the cancelled tickets, and the "
        "reference of the refund you say you made.",
        "nl": "Stuur ons alsjeblieft het bericht van de organisator over de geblokkeerde "
        "tickets, en de referentie van de terugbetaling die je zegt te hebben gedaan.",
    },
    # --- a duplicate charge: the platform's own -------------------------------------
    "twice.claim": {
        "en": "I was charged twice for order {order}: two identical amounts on my card "
        "statement on the same day.",
        "nl": "Voor bestelling {order} is er twee keer afgeschreven: twee dezelfde bedragen "
        "op mijn afschrift op dezelfde dag.",
    },
    "twice.internal": {
        "en": "Two captures with different payment ids, two seconds apart; looks like a "
        "double submit at checkout. Finance to confirm before refunding the second.",
        "nl": "Twee afschrijvingen met verschillende betaal-id's, twee seconden na elkaar; "
        "lijkt een dubbele klik bij het afrekenen. Finance bevestigt voor we de tweede "
        "terugboeken.",
    },
    # --- withdrawn: the parcel came after all --------------------------------------
    "arrived.claim": {
        "en": "Order {order} is a week late and the tracking has not changed since it "
        "left the warehouse.",
        "nl": "Bestelling {order} is een week te laat en de track & trace is niet "
        "veranderd sinds het magazijn.",
    },
    "arrived.seller": {
        "en": "The carrier had it in the wrong depot; it is out for delivery today.",
        "nl": "De vervoerder had het in het verkeerde depot liggen; het wordt vandaag bezorgd.",
    },
    "arrived.withdraw": {
        "en": "It arrived this morning, all fine. Thanks!",
        "nl": "Vanochtend binnengekomen, alles in orde. Bedankt!",
    },
    # --- closed: an offer the buyer let lapse --------------------------------------
    "postponed.claim": {
        "en": "The event of order {order} was moved to a date I cannot make. I want my "
        "money back rather than tickets for the new date.",
        "nl": "Het evenement van bestelling {order} is verplaatst naar een datum waarop ik "
        "niet kan. Ik wil liever mijn geld terug dan tickets voor de nieuwe datum.",
    },
    "postponed.offer": {
        "en": "The organiser keeps the tickets valid for the new date. I can offer store "
        "credit for the full price so you can pick another event.",
        "nl": "De organisator houdt de tickets geldig voor de nieuwe datum. Ik kan het "
        "volledige bedrag als tegoed aanbieden, zodat je een ander evenement kiest.",
    },
    # --- frozen: the buyer also went to the bank -----------------------------------
    "frozen.claim": {
        "en": "The order {order} never arrived and the seller stopped answering, so I also "
        "asked my bank to reverse the payment.",
        "nl": "Bestelling {order} is nooit aangekomen en de verkoper reageert niet meer, dus "
        "ik heb ook mijn bank gevraagd de betaling terug te draaien.",
    },
    "frozen.internal": {
        "en": "Stripe chargeback open on the same payment; nothing moves here until the "
        "bank decides. Evidence for Stripe is due in a few days.",
        "nl": "Er loopt een Stripe-chargeback op dezelfde betaling; hier gebeurt niets tot "
        "de bank beslist. Het bewijs voor Stripe moet over een paar dagen binnen zijn.",
    },
    "frozen.agent_to_buyer": {
        "en": "Because your bank is now handling the payment, we have paused this dispute. "
        "You can still add anything here that helps; we will pass it on.",
        "nl": "Omdat je bank de betaling nu behandelt, hebben we dit geschil gepauzeerd. Je "
        "kunt hier nog steeds alles toevoegen wat helpt; wij geven het door.",
    },
    # --- decided: a full refund at the seller's cost -------------------------------
    "wrongsize.claim": {
        "en": "The jacket of order {order} was listed as size M but the label says S, and "
        "it is clearly a small. The listing photos showed a different label. I want a "
        "full refund; I will send it back.",
        "nl": "De jas van bestelling {order} stond te koop als maat M, maar op het label "
        "staat S en hij valt ook echt klein. Op de foto's stond een ander label. Ik wil "
        "mijn geld volledig terug; ik stuur hem terug.",
    },
    "wrongsize.contest": {
        "en": "The jacket is a large-fitting S, which I said is about an M. I measured it "
        "before posting.",
        "nl": "Het is een ruim vallende S, en ik schreef dat die ongeveer als een M valt. "
        "Ik heb hem voor verzending opgemeten.",
    },
    "wrongsize.escalate": {
        "en": "The listing says size M in the title. Please look at it.",
        "nl": "In de titel van de advertentie staat maat M. Kijken jullie er alstublieft naar.",
    },
    "wrongsize.decision": {
        "en": "The listing named size M in its title and its photos showed a different "
        "label from the jacket that was sent. An item that does not match the size it "
        "was sold as is not as described under the marketplace terms, whatever the fit. "
        "The buyer gets the full price back, at the seller's cost, and may keep or "
        "return the jacket at the seller's choice.",
        "nl": "In de titel van de advertentie stond maat M en de foto's toonden een ander "
        "label dan dat van de verzonden jas. Een artikel dat niet de maat heeft waarvoor "
        "het verkocht is, is volgens de voorwaarden niet zoals beschreven, hoe het ook "
        "valt. De koper krijgt het volledige bedrag terug, op kosten van de verkoper.",
    },
    # --- under appeal: no refund, the buyer appeals ----------------------------------
    "porch.claim": {
        "en": "The parcel of order {order} is marked delivered but I never got it. There "
        "is no signature I recognise.",
        "nl": "Het pakket van bestelling {order} staat op bezorgd, maar ik heb het nooit "
        "ontvangen. Ik herken de handtekening niet.",
    },
    "porch.contest": {
        "en": "The courier's proof of delivery has a signature and a GPS point at the "
        "buyer's address. I shipped it insured and tracked.",
        "nl": "Het afleverbewijs van de vervoerder heeft een handtekening en een GPS-punt "
        "op het adres van de koper. Ik heb verzekerd en met track & trace verzonden.",
    },
    "porch.escalate": {
        "en": "I was not home at that time and nobody in my house signed for it.",
        "nl": "Ik was op dat moment niet thuis en niemand in mijn huis heeft ervoor getekend.",
    },
    "porch.decision": {
        "en": "The courier's proof of delivery shows a signature and a GPS position within "
        "15 metres of the delivery address, at the time the tracking gives. The seller "
        "shipped tracked and insured as the listing promised. On this evidence the parcel "
        "was delivered; the claim is not upheld and no refund is due from the seller.",
        "nl": "Het afleverbewijs van de vervoerder toont een handtekening en een GPS-positie "
        "binnen 15 meter van het afleveradres, op het tijdstip uit de track & trace. De "
        "verkoper verzond verzekerd en traceerbaar, zoals beloofd. Op grond hiervan is het "
        "pakket bezorgd; de claim wordt afgewezen en de verkoper hoeft niets terug te "
        "betalen.",
    },
    "porch.grounds": {
        "en": "The signature is not mine or my partner's, and our building has four flats "
        "on the same number. I have a letter from my neighbour saying the courier left it "
        "with someone in the hallway. Please review the decision.",
        "nl": "De handtekening is niet van mij of mijn partner, en op ons huisnummer zitten "
        "vier appartementen. Ik heb een briefje van mijn buurvrouw dat de bezorger het aan "
        "iemand in de hal gaf. Bekijk de beslissing alstublieft opnieuw.",
    },
    # --- closed after review: upheld ------------------------------------------------
    "vase.claim": {
        "en": "The vase of order {order} arrived in pieces. The packing was a single layer "
        "of paper in a thin box.",
        "nl": "De vaas van bestelling {order} kwam in stukken aan. De verpakking was één "
        "laag papier in een dunne doos.",
    },
    "vase.contest": {
        "en": "It was packed well. The courier must have dropped it; I do not accept this.",
        "nl": "Hij was goed verpakt. De vervoerder heeft hem vast laten vallen; dit accepteer "
        "ik niet.",
    },
    "vase.escalate": {
        "en": "The seller will not help. Photos of the box are on the dispute.",
        "nl": "De verkoper wil niet helpen. Foto's van de doos staan bij het geschil.",
    },
    "vase.decision": {
        "en": "The photos show a thin single-wall box with one layer of paper and no "
        "padding around a glass vase; the box itself is undamaged. Fragile items must be "
        "packed to survive normal handling. The damage follows from the packing, so the "
        "seller bears a refund of half the price; the buyer keeps the pieces.",
        "nl": "De foto's tonen een dunne enkelwandige doos met één laag papier en geen "
        "opvulling rond een glazen vaas; de doos zelf is onbeschadigd. Breekbare artikelen "
        "moeten normale behandeling doorstaan. De schade komt door de verpakking, dus de "
        "verkoper draagt een terugbetaling van de helft van de prijs.",
    },
    "vase.grounds": {
        "en": "I have sent dozens of vases this way and never had a problem. The courier "
        "should pay, not me.",
        "nl": "Ik heb tientallen vazen zo verstuurd zonder problemen. De vervoerder moet "
        "betalen, niet ik.",
    },
    "vase.review": {
        "en": "Reviewed the photos, the listing and the seller's grounds. The outer box has "
        "no dent or tear, so there is nothing to claim from the courier; the packing was "
        "not fit for glass. The decision is upheld: half the price back, at the seller's "
        "cost.",
        "nl": "De foto's, de advertentie en de gronden van de verkoper opnieuw bekeken. De "
        "doos heeft geen deuk of scheur, dus er valt niets op de vervoerder te verhalen; de "
        "verpakking was niet geschikt voor glas. De beslissing blijft staan.",
    },
    # --- closed after review: revised -----------------------------------------------
    "console.claim": {
        "en": "The console of order {order} was sold as 'fully working', but the disc "
        "drive does not read any disc.",
        "nl": "De console van bestelling {order} werd verkocht als 'werkt volledig', maar "
        "de disclezer leest geen enkele disc.",
    },
    "console.contest": {
        "en": "It worked when I sent it. The buyer probably used a scratched disc.",
        "nl": "Hij werkte toen ik hem verstuurde. De koper gebruikte vast een bekraste disc.",
    },
    "console.escalate": {
        "en": "I tried four different discs, new ones too.",
        "nl": "Ik heb vier verschillende discs geprobeerd, ook nieuwe.",
    },
    "console.decision": {
        "en": "There is no evidence yet that the drive was faulty on arrival: no video, no "
        "repair report, and the seller states it was tested. A claim of not as described "
        "needs something to show the fault. The claim is not upheld for now.",
        "nl": "Er is nog geen bewijs dat de disclezer bij aankomst kapot was: geen video, "
        "geen reparatierapport, en de verkoper zegt dat hij getest is. Voor 'niet zoals "
        "beschreven' is iets nodig dat het gebrek aantoont. De claim wordt nu afgewezen.",
    },
    "console.grounds": {
        "en": "I now have a repair shop's report: the laser is worn out, which does not "
        "happen in a week. It is attached.",
        "nl": "Ik heb nu een rapport van een reparateur: de laser is versleten, en dat "
        "gebeurt niet in een week. Het zit erbij.",
    },
    "console.review": {
        "en": "The repair report, new on appeal, shows a worn laser unit, a fault that "
        "builds up over years of use and that a 'fully working' listing did not mention. "
        "The decision is revised: the buyer gets 40% of the price back, the cost of a "
        "replacement drive, at the seller's cost.",
        "nl": "Het reparatierapport, nieuw in het beroep, toont een versleten laser: een "
        "gebrek dat over jaren ontstaat en dat de advertentie 'werkt volledig' niet noemde. "
        "De beslissing wordt herzien: de koper krijgt 40% van de prijs terug, op kosten "
        "van de verkoper.",
    },
    # --- resolved: the seller accepts the claim --------------------------------------
    "missingpart.claim": {
        "en": "The set from order {order} came without the charger shown in the listing. I "
        "would like part of the money back so I can buy one.",
        "nl": "De set van bestelling {order} kwam zonder de oplader uit de advertentie. Ik "
        "wil graag een deel van het geld terug om er een te kopen.",
    },
    "missingpart.accept": {
        "en": "You are right, I forgot to pack the charger. Sorry, the refund is yours.",
        "nl": "Je hebt gelijk, ik ben de oplader vergeten in te pakken. Sorry, het bedrag "
        "is voor jou.",
    },
    # --- resolved: the buyer accepts an offer ---------------------------------------
    "stain.claim": {
        "en": "The dress of order {order} has a stain on the hem that is not in the photos. "
        "I would like a partial refund.",
        "nl": "De jurk van bestelling {order} heeft een vlek op de zoom die niet op de "
        "foto's stond. Ik wil graag een deel terug.",
    },
    "stain.offer": {
        "en": "I missed that stain, sorry. I can refund part of the price; dry cleaning "
        "should take it out.",
        "nl": "Die vlek heb ik over het hoofd gezien, sorry. Ik kan een deel terugbetalen; "
        "met stomen gaat hij er vast uit.",
    },
    "stain.thanks": {
        "en": "Thanks, that is fair. I will accept the offer.",
        "nl": "Dank je, dat is redelijk. Ik accepteer het aanbod.",
    },
    # --- resolved by an agent --------------------------------------------------------
    "customs.claim": {
        "en": "Order {order} has been stuck for nine days. Where is my parcel?",
        "nl": "Bestelling {order} staat al negen dagen stil. Waar is mijn pakket?",
    },
    "customs.agent_to_buyer": {
        "en": "The courier tells us the parcel was held at the sorting centre for a "
        "missing house number. We gave them the full address; it is out for delivery.",
        "nl": "De vervoerder laat weten dat het pakket in het sorteercentrum lag door een "
        "ontbrekend huisnummer. We hebben het volledige adres doorgegeven; het wordt nu "
        "bezorgd.",
    },
    "customs.buyer": {
        "en": "It arrived this morning, all fine. Thank you!",
        "nl": "Vanochtend aangekomen, alles in orde. Dank jullie wel!",
    },
    "customs.resolve": {
        "en": "The parcel was delivered after we corrected the address with the courier; "
        "the buyer confirmed it arrived in good order. No refund needed.",
        "nl": "Het pakket is bezorgd nadat we het adres bij de vervoerder hebben "
        "aangevuld; de koper bevestigde dat het in goede staat aankwam. Geen terugbetaling "
        "nodig.",
    },
    # --- the rescue ladder of a hotel stay ---------------------------------------
    "rescue.refused": {
        "en": "{hotel} will not change the name on a prepaid rate: the reservation stays "
        "with the original guest or is cancelled. The seller tried as well, same answer.",
        "nl": "{hotel} wijzigt de naam op een vooruitbetaald tarief niet: de reservering "
        "blijft op naam van de oorspronkelijke gast of vervalt. De verkoper probeerde het "
        "ook, zelfde antwoord.",
    },
    "rescue.room": {
        "en": "{hotel}, double room, same nights",
        "nl": "{hotel}, tweepersoonskamer, dezelfde nachten",
    },
    "rescue.suite": {
        "en": "{hotel}, junior suite (last room free), same nights",
        "nl": "{hotel}, junior suite (laatste vrije kamer), dezelfde nachten",
    },
}

FILES: dict[str, tuple[str, str, str]] = {
    # key: (file name, content type, content)
    "damaged.photos": (
        "shade-and-box.txt",
        "text/plain",
        "Photo 1: glass shade, two cracks from the rim.\nPhoto 2: outer box, dented corner.\n",
    ),
    "signed.proof": (
        "proof-of-delivery.txt",
        "text/plain",
        "Proof of delivery\nStatus: delivered, signed\nSignature: J. de B.\n"
        "GPS: 52.0907, 5.1214 (within 15 m of the delivery address)\n",
    ),
    "vase.photos": (
        "vase-packing.txt",
        "text/plain",
        "Photo 1: the vase in six pieces.\nPhoto 2: single-wall box, one sheet of paper, "
        "no padding.\nPhoto 3: the outer box, no dents or tears.\n",
    ),
    "console.report": (
        "repair-report.txt",
        "text/plain",
        "Repair report\nDevice: game console, disc drive\nFinding: laser unit worn, "
        "cannot focus; wear consistent with years of use.\nAdvice: replace drive.\n",
    ),
}


def say(key: str, language: str, **values: str) -> str:
    texts = WORDS[key]
    return texts.get(language, texts["en"]).format(**values)
