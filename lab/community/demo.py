"""Demo community for `make run`: about 300 questions of a telecom help community in
German, over the last 90 days, with answers (some official, by staff), accepted
solutions, helpful votes, "me too", tags, a few posts waiting in the moderation queue,
one answer hidden with its reason, one locked thread, one duplicate, and knowledge-base
articles written from solved questions.

The variety comes from templates: per category a list of realistic problems (titles,
description, tags, the tips that solve them), filled with devices, routers, places and
countries, drawn with a seeded random.Random, so every run builds the same community
(dated back from the day it runs; what would lie in the future is left out).

Everything goes through the services (posts, votes, solutions, moderation, knowledge),
in the order it happened, with the clock set to each moment (lab.core.clock.frozen_at):
the rows, the ledger entries of votes and solutions, the response clocks and the
notifications carry the time they happened, and every counter is kept by the service
that keeps it in production. Only the members' notifications older than a week are then
marked read. Idempotent: if any question exists, nothing is added. Runs after the demo
accounts exist (lab.demo), with the demo members as askers and answerers and two staff
members for official answers, moderation and articles.
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select, update

from lab.accounts.models import User
from lab.community import knowledge, moderation, posts, solutions, votes
from lab.community.models import ANSWER, QUESTION, Category, Question
from lab.core.clock import frozen_at, utcnow
from lab.extensions import db
from lab.notify.models import Notification

SEED = 7  # the number: the same community on every run
QUESTIONS = 300
DAYS = 90
# notifications of what happened more than this long ago have been read by now
READ_AFTER = timedelta(days=7)
RECENT_POSTS = 60  # about five days of questions and answers


@dataclass(frozen=True)
class Topic:
    """A problem members run into: title variants, a description, tags, the tips that
    solve it, and (for a few) the title of the knowledge-base article made from it."""

    category: str
    titles: tuple[str, ...]
    body: str
    tags: tuple[str, ...]
    fixes: tuple[str, ...]
    article: str | None = None


# -- what members ask -----------------------------------------------------------------

TOPICS = [
    # Mobilfunk
    Topic("mobilfunk",
          ("WLAN Call funktioniert nicht auf dem {phone}",
           "WLAN-Call wird auf dem {phone} nicht aktiviert",
           "Keine WLAN-Anrufe mehr {since}"),
          "Seit {since_short} kann ich auf meinem {phone} keine WLAN-Anrufe mehr machen. Der "
          "Schalter in den Einstellungen ist an, aber das WLAN-Call-Symbol erscheint nie. "
          "Zu Hause habe ich {room} kaum Netz, deshalb bin ich darauf angewiesen.",
          ("wlan-call", "volte"),
          ("Bei mir lagen die Betreibereinstellungen daneben: **Einstellungen > Allgemein > "
           "Info** öffnen und ein paar Sekunden warten, dann kommt das Update der "
           "Netzbetreibereinstellungen. Danach war WLAN Call sofort wieder da.",
           "Prüf im Kundencenter unter *Optionen*, ob WLAN Call für deinen Tarif gebucht "
           "ist. Bei älteren Tarifen ist die Option nicht automatisch aktiv, sie kostet "
           "aber nichts.",
           "Der Router muss IPsec durchlassen (UDP-Ports 500 und 4500). Bei der FRITZ!Box "
           "geht das ab Werk, bei manchen Kabelroutern musste ich es erst erlauben."),
          article="WLAN Call einrichten: Telefonieren auch ohne Mobilfunkempfang"),
    Topic("mobilfunk",
          ("eSIM auf neues {phone} übertragen – wie geht das?",
           "eSIM-Profil nach Handywechsel weg",
           "Umzug der eSIM vom alten aufs neue {phone}"),
          "Ich habe mir ein {phone} gekauft und möchte meine eSIM vom alten Gerät "
          "mitnehmen. Beim Einrichten wurde mir keine Übertragung angeboten, und im alten "
          "Handy ist das Profil noch aktiv. Muss ich eine neue eSIM bestellen?",
          ("esim",),
          ("Am einfachsten geht es im Kundencenter unter **SIM-Karten > eSIM neu "
           "anfordern**. Du bekommst einen QR-Code per E-Mail, den scannst du auf dem neuen "
           "Gerät unter *Mobilfunk > eSIM hinzufügen*. Achtung: die alte eSIM ist damit "
           "sofort deaktiviert.",
           "Von iPhone zu iPhone klappt es direkt beim Einrichten mit *eSIM übertragen*: "
           "beide Geräte nebeneinanderlegen, Bluetooth und WLAN an, altes Gerät entsperren. "
           "Bei Android auf iPhone geht es nur mit einem neuen QR-Code."),
          article="eSIM auf ein neues Smartphone übertragen"),
    Topic("mobilfunk",
          ("Kein 5G auf dem {phone} in {city}",
           "{phone} zeigt nur LTE statt 5G",
           "5G im Tarif, aber das Handy findet es nicht"),
          "Laut Netzabdeckungskarte gibt es bei mir in {city} 5G, mein {phone} zeigt aber "
          "immer nur LTE an. Mein Tarif sollte 5G enthalten. Muss ich irgendwo etwas "
          "einschalten?",
          ("5g", "netzabdeckung"),
          ("In den Einstellungen unter *Mobilfunk > Sprache & Daten* muss **5G auto** "
           "gewählt sein. Manche Geräte schalten 5G erst nach einem Update der "
           "Betreibereinstellungen frei.",
           "Schau im Kundencenter, ob die 5G-Option aktiv ist: bei Verträgen vor 2021 "
           "musste man sie noch kostenlos dazubuchen. Bei mir war sie nicht drin, nach dem "
           "Buchen lief 5G am nächsten Morgen.")),
    Topic("mobilfunk",
          ("Kein Netz {room} {since}",
           "Empfang zu Hause plötzlich weg – {city}",
           "Nur noch ein Balken {room}"),
          "Ich habe {since} {room} praktisch kein Netz mehr, vorher ging Telefonieren dort "
          "problemlos. Draußen auf der Straße ist alles normal. Ist bei euch in {city} auch "
          "etwas aufgefallen?",
          ("netzabdeckung", "volte"),
          ("Melde die Stelle über die **Netzstörung melden**-Seite mit genauer Adresse. Bei "
           "mir wurde so ein defekter Sektor am Mast gefunden, eine Woche später war alles "
           "wieder gut.",
           "Drinnen hilft WLAN Call am meisten: dann telefonierst du über deinen "
           "Internetanschluss und der Empfang im Haus ist egal.")),
    Topic("mobilfunk",
          ("Roaming in {country} funktioniert nicht",
           "Kein mobiles Internet im Urlaub in {country}",
           "Im Ausland kein Netz mit dem {phone}"),
          "Ich bin gerade im Urlaub in {country} und habe mit meinem {phone} zwar Netz, aber "
          "kein mobiles Internet. Telefonieren klappt. Zu Hause geht alles. Was muss ich "
          "einstellen?",
          ("roaming",),
          ("Datenroaming ist auf dem Handy ab Werk aus: **Einstellungen > Mobilfunk > "
           "Datenroaming** einschalten. In der EU kostet das mit deinem Tarif nichts extra.",
           "Stell die Netzwahl von automatisch auf manuell und wähl einen anderen "
           "Partnerbetreiber aus der Liste. Bei mir hing das Handy in einem Netz ohne "
           "Datenvertrag fest, mit dem zweiten Anbieter ging es sofort."),
          article="Mobiles Internet im Ausland: Roaming richtig einschalten"),
    Topic("mobilfunk",
          ("SMS mit Bestätigungscodes kommen nicht an",
           "Keine SMS von der Bank auf dem {phone}"),
          "Seit {since_short} bekomme ich keine SMS mit TAN- oder Anmeldecodes mehr, "
          "normale SMS von Freunden kommen an. Das Online-Banking kann ich so nicht "
          "nutzen. Hat jemand das auch?",
          ("sms",),
          ("Bei mir war im Kundencenter die **Drittanbietersperre** auf \"alles sperren\" "
           "gestellt, die blockiert auch manche Kurzwahl-Absender. Auf \"nur Abos sperren\" "
           "umgestellt, seitdem kommen die Codes.",
           "Prüf die Nummer der Kurzmitteilungszentrale in den SMS-Einstellungen. Nach "
           "einem SIM-Tausch stand bei mir eine falsche drin.")),
    Topic("mobilfunk",
          ("Surfen extrem langsam, obwohl noch Datenvolumen da ist",
           "Datenvolumen nach zwei Tagen verbraucht?"),
          "Laut App habe ich noch über die Hälfte meines Datenvolumens, trotzdem lädt "
          "{since} fast nichts mehr, als wäre ich gedrosselt. Ich bin meistens in {city} "
          "unterwegs.",
          ("datenvolumen",),
          ("Schau in der App unter *Verbrauch* nach dem genauen Stand und ob ein Datenpass "
           "abgelaufen ist. Bei mir war ein Tagespass aus dem Urlaub noch aktiv und hat das "
           "Volumen falsch angezeigt, ein Neustart des Tarifs im Kundencenter hat geholfen.",
           "Mach einen Speedtest mit ausgeschaltetem WLAN. Wenn er unter 1 MBit/s liegt, "
           "lass die Drosselung im Chat prüfen: bei mir war das Volumen falsch verbucht und "
           "wurde gutgeschrieben.")),
    Topic("mobilfunk",
          ("Mailbox lässt sich nicht ausschalten",
           "Anrufer landen immer sofort auf der Mailbox"),
          "Egal was ich in den Telefoneinstellungen des {phone} mache, Anrufer landen nach "
          "zwei Sekunden auf der Mailbox. Ich möchte sie am liebsten ganz abschalten.",
          ("mailbox",),
          ("Tipp einfach **##002#** und drück auf Anrufen: damit werden alle "
           "Rufumleitungen gelöscht, auch die zur Mailbox. Wieder einschalten geht mit "
           "der Mailbox-Nummer in den Einstellungen.",)),
    Topic("mobilfunk",
          ("Gespräche brechen nach wenigen Sekunden ab",
           "Telefonate auf dem {phone} reißen ständig ab"),
          "Seit {since_short} brechen fast alle Telefonate nach fünf bis zehn Sekunden ab. "
          "Mobiles Internet läuft problemlos. Ich habe das {phone} schon neu gestartet.",
          ("volte",),
          ("Schalte testweise VoLTE aus (*Mobilfunk > Sprache & Daten*). Wenn die "
           "Gespräche dann halten, hilft meistens eine neue SIM-Karte: die alte konnte bei "
           "mir VoLTE nicht richtig.",
           "Bei mir war es ein Fehler der Gerätesoftware, das Update vom letzten Wochenende "
           "hat es behoben. Schau mal, ob eins für dein Gerät da ist.")),
    Topic("mobilfunk",
          ("Dual-SIM im {phone}: Anrufe gehen über die falsche Nummer",
           "Zweite eSIM neben der physischen SIM einrichten"),
          "Ich nutze im {phone} eine physische SIM für die Arbeit und eine eSIM privat. "
          "Ausgehende Anrufe gehen immer über die Dienstnummer, obwohl ich die private als "
          "Standard eingestellt habe.",
          ("dual-sim", "esim"),
          ("Der Standard gilt nur für neue Kontakte. Für bestehende Kontakte merkt sich das "
           "Handy die zuletzt benutzte Leitung: im Kontakt unter *Bevorzugte Leitung* "
           "umstellen.",)),
    # Internet & Festnetz
    Topic("internet-festnetz",
          ("{fritzbox} verliert mehrmals täglich die DSL-Synchronisation",
           "DSL-Abbrüche mit {fritzbox}",
           "Internet bricht {since} ständig ab"),
          "Mein Router ({fritzbox}) verliert seit {since_short} mehrmals am Tag die "
          "Verbindung. Die DSL-LED blinkt dann eine Minute, danach geht es wieder. Im "
          "Ereignisprotokoll steht \"DSL antwortet nicht\". Wohnort: {city}.",
          ("fritzbox", "dsl"),
          ("Stell in der FRITZ!Box unter **Internet > DSL-Informationen > Störsicherheit** "
           "den Regler auf *maximale Stabilität*. Du verlierst ein paar MBit/s, aber die "
           "Abbrüche waren bei mir danach weg.",
           "Tausch das DSL-Kabel gegen ein neues, kurzes und steck den Router direkt in die "
           "erste TAE-Dose, ohne Verlängerung. Bei mir war das alte Kabel vom Vormieter "
           "schuld."),
          article="DSL-Abbrüche an der FRITZ!Box beheben"),
    Topic("internet-festnetz",
          ("WLAN {room} sehr langsam",
           "Schlechtes WLAN trotz {router}",
           "Mesh oder Repeater: was hilft gegen das Funkloch {room}?"),
          "Direkt am Router habe ich volle Geschwindigkeit, aber {room} kommen kaum 5 MBit/s "
          "an, Videocalls brechen ab. Zwischen Router und Zimmer liegen zwei Wände und eine "
          "Decke. Was bringt am meisten?",
          ("wlan", "mesh"),
          ("Ein Mesh-Repeater auf halber Strecke bringt am meisten, **nicht** direkt in "
           "das schlechte Zimmer stellen. Am besten dorthin, wo du noch zwei Drittel der "
           "Geschwindigkeit hast.",
           "Prüf den Funkkanal: in Mehrfamilienhäusern ist 2,4 GHz oft völlig voll. Bei "
           "mir hat es geholfen, im 5-GHz-Band einen festen Kanal zu wählen und die "
           "Kanalbreite auf 80 MHz zu stellen."),
          article="WLAN im ganzen Haus: Mesh-Repeater richtig aufstellen"),
    Topic("internet-festnetz",
          ("Glasfaser-Modem zeigt rote LOS-LED",
           "Glasfaser in {city}: kein Signal am Modem"),
          "Unser Glasfaser-Anschluss wurde letzte Woche freigeschaltet, seit heute Morgen "
          "leuchtet am Modem die LOS-LED rot und es gibt kein Internet. Am Kabel habe ich "
          "nichts verändert.",
          ("glasfaser",),
          ("Rote LOS-LED heißt: kein Lichtsignal. Prüf, ob das Glasfaserkabel irgendwo "
           "geknickt ist, und steck den Stecker am Modem vorsichtig neu (nicht in die "
           "Öffnung schauen!). Wenn es dann nicht geht, ist eine Störung zu melden, die "
           "Technik kommt in der Regel am nächsten Werktag.",
           "Bei uns waren Bauarbeiten in der Straße, laut Störungsauskunft war die ganze "
           "Straße betroffen. Am Abend lief es wieder.")),
    Topic("internet-festnetz",
          ("Nur 40 statt 100 MBit/s in {city}",
           "Gebuchte Geschwindigkeit wird nie erreicht",
           "Speedtest mit {dsl_router} zeigt viel zu wenig"),
          "Ich habe 100 MBit/s gebucht, im Speedtest komme ich aber selten über 40. Das "
          "geht {since} so. Ist das normal, oder kann ich da etwas machen?",
          ("dsl", "speedtest"),
          ("Miss bitte per LAN-Kabel und nicht per WLAN, am besten mit der "
           "**Breitbandmessung der Bundesnetzagentur**. Wenn du dort mehrfach deutlich "
           "unter der minimalen Geschwindigkeit liegst, hast du ein Recht auf Minderung.",
           "Schau in den DSL-Informationen des Routers nach der synchronisierten Rate. Lag "
           "bei mir auch bei 40, nach dem Tausch der alten Telefondose durch eine neue TAE "
           "waren es 98 MBit/s.")),
    Topic("internet-festnetz",
          ("Mesh mit {fritzbox} einrichten – Repeater wird nicht erkannt",
           "Repeater verbindet sich nicht mit {fritzbox}"),
          "Ich möchte einen Repeater ins Mesh meines Routers ({fritzbox}) aufnehmen. Ich "
          "drücke die Connect-Taste an beiden Geräten, aber der Repeater taucht nie in der "
          "Mesh-Übersicht auf.",
          ("mesh", "fritzbox"),
          ("Beide Geräte zuerst auf die aktuelle FRITZ!OS-Version bringen. Dann am Router "
           "die Connect-Taste nur **kurz** drücken (eine Sekunde), innerhalb von zwei "
           "Minuten am Repeater. Langes Drücken startet WPS, das ist etwas anderes.",
           "Stell den Repeater für die Einrichtung in denselben Raum wie den Router und "
           "trag ihn erst danach an seinen Platz.")),
    Topic("internet-festnetz",
          ("Festnetztelefon nach Routertausch ohne Freizeichen",
           "Telefonie geht nicht nach Wechsel auf {router}"),
          "Ich habe meinen alten Router gegen {router} getauscht. Internet läuft, aber am "
          "Festnetztelefon ist kein Freizeichen, in der Oberfläche steht \"Registrierung "
          "fehlgeschlagen\".",
          ("festnetz", "fritzbox", "voip"),
          ("Bei eigenen Routern holt sich die Box die Telefoniedaten nicht immer "
           "automatisch. Im Kundencenter unter *Telefonie > Zugangsdaten* findest du "
           "Rufnummer, Benutzername und Kennwort, die trägst du unter **Telefonie > "
           "Eigene Rufnummern** ein.",
           "Nach dem Tausch dauert die automatische Einrichtung manchmal bis zu einer "
           "Stunde. Router einmal neu starten und dann etwas warten.")),
    Topic("internet-festnetz",
          ("Portfreigabe funktioniert nicht – DS-Lite?",
           "Von unterwegs nicht auf mein NAS zugreifen"),
          "Ich habe im Router ({router}) eine Portfreigabe für mein NAS eingerichtet, von "
          "außen ist es trotzdem nicht erreichbar. Ein Freund meinte, das liegt an "
          "DS-Lite. Was heißt das?",
          ("ipv6", "portfreigabe"),
          ("Bei DS-Lite hast du keine eigene öffentliche IPv4-Adresse, Portfreigaben für "
           "IPv4 gehen deshalb nicht. Entweder du nutzt die IPv6-Adresse des NAS, oder du "
           "lässt dir über die Hotline einen echten Dual-Stack-Anschluss schalten, das "
           "kostet nichts.",)),
    Topic("internet-festnetz",
          ("Internet seit gestern weg, Info-LED blinkt rot",
           "Störung in {city}? Kein Internet und kein Telefon"),
          "Seit gestern Abend gibt es bei uns in {city} kein Internet und kein Telefon, die "
          "Info-LED am Router ({router}) blinkt rot. Neustart habe ich mehrfach gemacht.",
          ("stoerung",),
          ("Laut Störungsauskunft gibt es gerade eine größere Störung in deinem "
           "Ortsnetz, die Techniker sind vor Ort. Eine Gutschrift für den Ausfall kannst "
           "du danach im Kundencenter beantragen.",
           "Schau unter *Hilfe > Störungen* in der App, dort wird die Behebung angezeigt. "
           "Bei mir kam nach drei Stunden die SMS, dass alles wieder läuft.")),
    Topic("internet-festnetz",
          ("Umzug: wie lange dauert die Schaltung am neuen Wohnort?",
           "Umzug nach {city} – Internet ab dem ersten Tag?"),
          "Wir ziehen in sechs Wochen nach {city}. Kann ich den Anschluss mitnehmen und "
          "klappt das bis zum Einzug? Ich arbeite viel im Homeoffice.",
          ("umzug",),
          ("Melde den Umzug mindestens sechs Wochen vorher im Kundencenter an. Bei mir kam "
           "der Termin zwei Wochen vorher per Mail, am Einzugstag lief alles. Als "
           "Überbrückung gibt es auf Anfrage einen LTE-Stick.",)),
    Topic("internet-festnetz",
          ("Hybrid-Router: LTE wird nicht zugeschaltet",
           "5G-Zuhause-Internet: Empfang schwankt stark"),
          "Ich habe einen Hybrid-Anschluss, aber in der Übersicht wird nie LTE "
          "dazugeschaltet, obwohl DSL bei mir nur 16 MBit/s schafft.",
          ("hybrid", "5g"),
          ("Der LTE-Teil wird nur bei Last zugeschaltet, nicht dauerhaft. Starte einen "
           "großen Download und schau dann in die Übersicht. Wenn nichts passiert, ist "
           "oft die SIM im Router nicht aktiviert, das kann der Support per Fernwartung "
           "prüfen.",)),
    # TV & Entertainment
    Topic("tv-entertainment",
          ("MagentaTV ruckelt auf dem {tv_box}",
           "Live-TV stockt jeden Abend",
           "Bild friert ein bei MagentaTV"),
          "Seit {since_short} ruckelt MagentaTV auf dem {tv_box} vor allem abends, "
          "manchmal friert das Bild für ein paar Sekunden ein. Aufnahmen laufen flüssig. "
          "Der Receiver hängt per WLAN am Router ({router}).",
          ("magentatv", "wlan"),
          ("Häng den Receiver per **LAN-Kabel** an den Router. Live-TV kommt als Multicast, "
           "das mag WLAN überhaupt nicht. Wenn kein Kabel geht: Powerline-Adapter.",
           "In der FRITZ!Box unter *Heimnetz > Netzwerk > Netzwerkeinstellungen* "
           "\"IPTV-Pakete im WLAN übertragen\" aktivieren. Das hat bei mir das Ruckeln "
           "behoben."),
          article="MagentaTV ruckelt: so läuft Live-TV wieder flüssig"),
    Topic("tv-entertainment",
          ("Aufnahmen auf dem {tv_box} sind verschwunden",
           "Cloud-Aufnahmen weg nach Tarifwechsel"),
          "Nach einem Update sind alle meine Aufnahmen aus der Liste verschwunden, "
          "darunter ein paar Filme, die ich noch nicht gesehen habe. Kann man die "
          "zurückholen?",
          ("magentatv", "aufnahmen"),
          ("Die Aufnahmen liegen in der Cloud und sind meistens noch da: einmal in den "
           "Einstellungen abmelden und neu anmelden, dann wird die Liste neu geladen.",
           "Aufnahmen werden nach 12 Monaten automatisch gelöscht. Schau, ob das Datum "
           "der Aufnahme schon so alt war.")),
    Topic("tv-entertainment",
          ("MagentaTV-App auf dem {smart_tv}: Anmeldung schlägt fehl",
           "App auf dem {smart_tv} zeigt Fehlercode bei der Anmeldung"),
          "Ich will die MagentaTV-App auf meinem {smart_tv} nutzen, beim Anmelden kommt "
          "aber jedes Mal \"Anmeldung nicht möglich\". Am Handy funktioniert dieselbe "
          "Anmeldung.",
          ("magentatv", "app"),
          ("Auf dem Fernseher die App-Daten löschen (nicht nur schließen) und dann mit dem "
           "Code von **magentatv.de/aktivieren** anmelden statt mit Benutzername und "
           "Passwort.",
           "Die Zahl der Geräte ist begrenzt: im Kundencenter unter *Geräteverwaltung* "
           "ein altes Gerät entfernen, dann ging es bei mir sofort.")),
    Topic("tv-entertainment",
          ("Ton asynchron bei Live-TV mit {tv_box}",
           "Lippen und Ton passen nicht zusammen"),
          "Bei Live-TV ist der Ton eine gute halbe Sekunde hinter dem Bild. Als Zuspieler "
          "nutze ich {tv_box}, per HDMI an einer Soundbar.",
          ("ton", "hdmi"),
          ("Stell im Receiver unter *Ton* das Format von Dolby Digital auf **PCM** um. "
           "Die Soundbar muss dann nicht mehr dekodieren und der Versatz ist weg.",
           "Viele Fernseher haben eine Einstellung \"Audioverzögerung\" oder \"AV-Sync\", "
           "da kannst du den Ton in kleinen Schritten nachziehen.")),
    Topic("tv-entertainment",
          ("Netflix-Option im Tarif: Aktivierung klappt nicht",
           "Streaming-Abo im Tarif lässt sich nicht verknüpfen"),
          "Ich habe die Streaming-Option gebucht, beim Verknüpfen kommt aber immer die "
          "Meldung, dass das Konto bereits verwendet wird. Ich hatte vorher ein eigenes "
          "Abo.",
          ("streaming",),
          ("Das eigene Abo muss erst ganz auslaufen. Kündige es zum Ende des Zeitraums, "
           "danach kannst du dasselbe Konto über die Option verknüpfen, Profile und "
           "Verlauf bleiben erhalten.",)),
    Topic("tv-entertainment",
          ("Jugendschutz-PIN vergessen",
           "PIN für MagentaTV zurücksetzen"),
          "Ich habe die Jugendschutz-PIN für MagentaTV vergessen und kann deshalb abends "
          "manche Filme nicht starten. Wo kann ich sie ändern?",
          ("magentatv", "pin"),
          ("Die PIN setzt du im Kundencenter unter **TV > Jugendschutz** zurück. Die neue "
           "gilt nach ein paar Minuten auf allen Geräten.",)),
    Topic("tv-entertainment",
          ("Fernbedienung vom {tv_box} reagiert nicht mehr",
           "Sprachsuche der Fernbedienung geht nicht"),
          "Die Fernbedienung vom {tv_box} reagiert seit {since_short} nur noch sporadisch. "
          "Neue Batterien habe ich schon eingelegt.",
          ("fernbedienung", "bluetooth"),
          ("Die Fernbedienung neu koppeln: die Tasten **OK** und **Zurück** gleichzeitig "
           "fünf Sekunden drücken, bis die LED blinkt, dann am Receiver bestätigen.",
           "Bei mir stand der Receiver hinter dem Fernseher und das Bluetooth-Signal kam "
           "nicht durch. Ein Stück daneben gestellt, seitdem geht es.")),
    Topic("tv-entertainment",
          ("Kein UHD/HDR auf dem {smart_tv}",
           "4K-Inhalte laufen nur in HD"),
          "UHD-Inhalte laufen auf meinem {smart_tv} nur in HD, das HDR-Logo erscheint nie. "
          "Als Zuspieler hängt {tv_box} per HDMI dran.",
          ("uhd", "hdmi"),
          ("Am Fernseher für den HDMI-Eingang das erweiterte Signalformat einschalten "
           "(\"HDMI UHD Color\" oder \"Input Signal Plus\"). Und ein Kabel mit "
           "*Premium High Speed* nehmen, das alte schafft oft kein 4K mit HDR.",)),
    Topic("tv-entertainment",
          ("Sportpaket gebucht, aber Sender gesperrt",
           "Bundesliga-Sender trotz Buchung nicht freigeschaltet"),
          "Ich habe gestern das Sportpaket gebucht, die Sender sind auf dem {tv_box} aber "
          "noch gesperrt. Wie lange dauert die Freischaltung?",
          ("sport", "magentatv"),
          ("Die Freischaltung dauert bis zu 24 Stunden. Schneller geht es, wenn du den "
           "Receiver einmal vom Strom nimmst, dann werden die Rechte neu geladen.",)),
    # Geräte & Zubehör
    Topic("geraete-zubehoer",
          ("Akku vom {phone} nach Update schnell leer",
           "{phone} hält keinen Tag mehr durch"),
          "Seit dem letzten Update ist der Akku meines {phone} am Nachmittag leer, vorher "
          "kam ich locker über den Tag. Apps habe ich keine neuen installiert.",
          ("akku", "update"),
          ("Nach großen Updates indiziert das Handy ein paar Tage lang Fotos und Daten, "
           "das kostet Akku. Gib ihm drei, vier Ladezyklen, bei mir hat es sich danach "
           "eingependelt.",
           "Schau in die Akkunutzung: bei mir lief eine Navigations-App dauerhaft im "
           "Hintergrund. Hintergrundaktivität verboten, seitdem passt es wieder.")),
    Topic("geraete-zubehoer",
          ("{router} defekt – wie läuft der Austausch?",
           "Mietrouter kaputt, was nun?"),
          "Mein gemieteter Router ({router}) startet nur noch neu, alle LEDs blinken. Wie bekomme "
          "ich ein Ersatzgerät und muss ich das alte vorher zurückschicken?",
          ("router", "austausch"),
          ("Den Austausch beauftragst du im Kundencenter unter *Geräte > Mietgerät "
           "tauschen*. Das neue Gerät kommt in zwei bis drei Werktagen, das alte schickst "
           "du danach mit dem beiliegenden Retourenschein zurück.",)),
    Topic("geraete-zubehoer",
          ("eSIM auf der {watch} einrichten",
           "Smartwatch mit eigener Nummer: MultiSIM für die {watch}"),
          "Ich möchte meine {watch} ohne Handy zum Joggen mitnehmen und dabei erreichbar "
          "sein. Geht das mit meinem Tarif, und wie richte ich das ein?",
          ("esim", "smartwatch"),
          ("Du brauchst die Option **MultiSIM** (oder eine eigene Watch-Option), die buchst "
           "du im Kundencenter. Danach in der Watch-App auf dem Handy unter *Mobilfunk* "
           "den Tarif hinzufügen, der Rest läuft automatisch.",)),
    Topic("geraete-zubehoer",
          ("{phone} wird beim 5G-Surfen sehr warm",
           "Handy heizt sich im 5G-Netz auf"),
          "Wenn ich mit dem {phone} im 5G-Netz Videos schaue, wird das Gerät richtig warm "
          "und der Akku sinkt schnell. Im LTE-Netz ist das nicht so.",
          ("5g", "akku"),
          ("Das ist leider normal bei schwachem 5G-Empfang: das Modem arbeitet dann mit "
           "voller Leistung. Stell auf **5G auto**, dann nimmt das Handy LTE, wenn 5G "
           "nichts bringt.",)),
    Topic("geraete-zubehoer",
          ("Repeater blinkt nach Firmware-Update nur noch orange",
           "Mesh-Repeater nach Update ohne Verbindung"),
          "Nach dem automatischen Update letzte Nacht blinkt mein Repeater nur noch orange "
          "und das WLAN {room} ist weg. Der Router selbst läuft.",
          ("mesh", "update"),
          ("Repeater einmal zurücksetzen (Reset-Taste 15 Sekunden) und neu ins Mesh "
           "aufnehmen. Bei mir hatte das Update die Mesh-Verbindung verloren, danach lief "
           "alles.",)),
    Topic("geraete-zubehoer",
          ("{phone} verbindet sich nicht mehr mit dem Auto",
           "Bluetooth im Auto trennt ständig"),
          "Seit {since_short} verbindet sich mein {phone} nicht mehr mit der Freisprech"
          "anlage im Auto, oder die Verbindung bricht nach ein paar Minuten ab.",
          ("bluetooth",),
          ("Das Auto auf dem Handy **entkoppeln** und im Auto das Handy aus der Liste "
           "löschen, dann neu koppeln. Nach Updates passen die gespeicherten Schlüssel oft "
           "nicht mehr.",)),
    Topic("geraete-zubehoer",
          ("Welche SIM-Größe brauche ich für das {phone}?",
           "Neue SIM für das {phone} bestellen"),
          "Ich wechsle auf ein {phone} und weiß nicht, ob meine alte SIM-Karte passt. Oder "
          "sollte ich gleich auf eSIM umsteigen?",
          ("sim", "esim"),
          ("Alle aktuellen Geräte nehmen eine **Nano-SIM**; die Karten heute sind "
           "Triple-SIMs zum Herausbrechen. Wenn dein Gerät eSIM kann, würde ich gleich "
           "umsteigen: kein Warten auf Post, und beim nächsten Wechsel ist es ein "
           "QR-Code.",)),
    Topic("geraete-zubehoer",
          ("Alten Router zurückschicken – wohin?",
           "Rücksendung des alten Routers nach Tarifwechsel"),
          "Nach dem Wechsel auf Glasfaser habe ich einen neuen Router bekommen. Muss ich "
          "den alten Router ({router}) zurückschicken und wenn ja, wohin?",
          ("mietgeraet", "router"),
          ("Nur Mietgeräte musst du zurückschicken. Den Retourenschein druckst du im "
           "Kundencenter unter *Geräte > Rücksendung* aus, Versand ist kostenlos. Gekaufte "
           "Geräte gehören dir.",)),
    # Testlabor
    Topic("testlabor",
          ("Bewerbung für den Test von {product}: wann gibt es Rückmeldung?",
           "Noch keine Antwort auf meine Bewerbung für {product}"),
          "Ich habe mich vor einer Woche für den Test von {product} beworben. Im Profil "
          "steht immer noch \"eingereicht\". Wann erfährt man, ob man dabei ist?",
          ("testlabor", "bewerbung"),
          ("Die Auswahl läuft erst nach dem Bewerbungsschluss, der steht auf der "
           "Kampagnenseite. Danach bekommst du innerhalb von ein paar Tagen eine "
           "Nachricht, so oder so.",
           "Tipp: halte dein Tester-Profil aktuell (Geräte, Anschluss, Region). Bei "
           "manchen Tests wird genau danach ausgewählt.")),
    Topic("testlabor",
          ("Testgerät noch nicht angekommen",
           "Sendungsverfolgung für das Testgerät zeigt nichts"),
          "Laut Mail wurde mein Testgerät für {product} vor vier Tagen verschickt, die "
          "Sendungsverfolgung zeigt aber nur \"Daten übermittelt\". Muss ich mir Sorgen "
          "machen?",
          ("testlabor", "versand"),
          ("Das kommt vor, wenn das Paket im Depot liegt. Nach fünf Werktagen ohne Bewegung "
           "schreib dem Team über dein Testprofil, dann wird ein Nachforschungsauftrag "
           "gestartet.",)),
    Topic("testlabor",
          ("Feedbackbogen abgeschickt, aber Status zeigt \"offen\"",
           "Aufgabe im Test wird nicht als erledigt angezeigt"),
          "Ich habe den Feedbackbogen zu {product} gestern ausgefüllt und abgeschickt, im "
          "Testbereich steht die Aufgabe aber noch als offen.",
          ("testlabor", "feedback"),
          ("Lade die Seite einmal neu, die Übersicht wird gecacht. Wenn dann immer noch "
           "\"offen\" steht, war vermutlich ein Pflichtfeld leer und die Antwort ist nur "
           "als Entwurf gespeichert: öffne den Bogen nochmal und schick ihn ab.",)),
    Topic("testlabor",
          ("Punkte für angenommene Antwort nicht gutgeschrieben?",
           "Wie viele Punkte gibt es für eine Lösung?"),
          "Eine meiner Antworten wurde gestern als Lösung markiert, im Punktekonto sehe "
          "ich aber nichts. Dauert das?",
          ("punkte", "testlabor"),
          ("Die Punkte werden sofort gebucht, schau unter *Meine Punkte*. Wenn der "
           "Fragesteller seine eigene Antwort annimmt oder die Lösung wieder zurücknimmt, "
           "gibt es keine bzw. werden sie wieder abgezogen.",)),
    Topic("testlabor",
          ("Rücksendeetikett für das Testgerät finde ich nicht",
           "Testgerät zurückschicken: wie?"),
          "Der Test von {product} ist vorbei und ich soll das Gerät zurückschicken. Wo "
          "finde ich das Rücksendeetikett?",
          ("testlabor", "ruecksendung"),
          ("Im Testbereich unter *Gerät* gibt es den Knopf **Rücksendung ankündigen**, "
           "danach bekommst du das Etikett per Mail. Trag die Sendungsnummer ein, dann "
           "sieht das Team, dass es unterwegs ist.",)),
    Topic("testlabor",
          ("Wie melde ich einen Fehler im Test richtig?",
           "Fehlerbericht zu {product}: was gehört rein?"),
          "Beim Test von {product} stürzt die App ab und zu ab. Ich weiß nicht, welche "
          "Angaben das Team braucht, damit der Fehler nachvollziehbar ist.",
          ("testlabor", "fehlerbericht"),
          ("Am wichtigsten sind **Schritte zum Nachstellen** (was hast du genau gemacht), "
           "was du erwartet hast und was passiert ist, dazu Softwareversion und ein "
           "Screenshot oder Video. Je genauer, desto schneller wird der Fehler bestätigt.",
           "Mach für jeden Fehler einen eigenen Bericht, nicht alles in einen. Dann kann "
           "jeder einzeln bestätigt werden."),
          article="Einen Fehler im Test richtig melden"),
    Topic("testlabor",
          ("Warum soll ich meine Geräte im Profil angeben?",
           "Tester-Profil: welche Angaben sind wichtig?"),
          "Beim Bewerben werde ich immer wieder gefragt, welche Geräte ich habe. Wozu "
          "braucht ihr das, und sieht das jemand?",
          ("profil", "testlabor"),
          ("Die Geräte und der Anschluss entscheiden bei vielen Tests, wer passt: für "
           "einen Mesh-Test braucht man einen Router, für eine App ein passendes "
           "Smartphone. Sichtbar ist das nur für das Team, nicht für andere Mitglieder.",)),
]

CATEGORY_SLUGS = ("mobilfunk", "internet-festnetz", "tv-entertainment",
                  "geraete-zubehoer", "testlabor")
# how often each category is asked about
CATEGORY_WEIGHTS = {"mobilfunk": 32, "internet-festnetz": 30, "tv-entertainment": 16,
                    "geraete-zubehoer": 14, "testlabor": 8}

PHONES = ("iPhone 15", "iPhone 13 mini", "iPhone 16 Pro", "Galaxy S24", "Galaxy A55",
          "Pixel 8", "Pixel 9", "Xiaomi 14", "Fairphone 5", "Galaxy S23 FE",
          "Motorola edge 50", "OnePlus 12")
FRITZBOXES = ("FRITZ!Box 7590", "FRITZ!Box 7530", "FRITZ!Box 7690", "FRITZ!Box 7590 AX")
DSL_ROUTERS = FRITZBOXES + ("Speedport Smart 4", "Speedport Pro Plus")
ROUTERS = DSL_ROUTERS + ("FRITZ!Box 6660 Cable", "FRITZ!Box 5590 Fiber")
TV_BOXES = ("MagentaTV One", "MagentaTV Stick", "Fire TV Stick 4K", "Apple TV 4K")
SMART_TVS = ("LG OLED C3", "Samsung QN90C", "Sony Bravia XR", "Philips OLED 808")
WATCHES = ("Apple Watch SE", "Galaxy Watch 6", "Pixel Watch 2")
PRODUCTS = ("Nova 7 5G", "AirLink Mesh Duo", "StreamBox 4K", "Pulse 2")
CITIES = ("Leipzig", "Bonn", "Hamburg-Altona", "Köln-Ehrenfeld", "München-Pasing",
          "Rostock", "Freiburg", "Kassel", "Erfurt", "Bielefeld", "Dresden-Neustadt",
          "Mainz", "Kiel", "Regensburg", "Saarbrücken", "Potsdam")
ROOMS = ("im Keller", "im Dachgeschoss", "im Arbeitszimmer unterm Dach",
         "im Kinderzimmer", "im Gartenhaus", "in der Küche", "im Schlafzimmer")
COUNTRIES = ("Italien", "Kroatien", "der Türkei", "Spanien", "der Schweiz", "Norwegen",
             "Österreich", "Frankreich", "Griechenland")
SINCE = ("seit dem letzten Update", "seit gestern Abend", "seit ungefähr einer Woche",
         "seit Montag", "seit ein paar Tagen", "seit dem Wochenende")

# first words of a description that are written in lower case after "Hallo zusammen,"
LOWER_AFTER_GREETING = frozenset({"Seit", "Ich", "Laut", "Egal", "Mein", "Meine", "Unser",
                                  "Nach", "Direkt", "Wenn", "Beim", "Bei", "Wir", "Der",
                                  "Die", "Das"})
GREETINGS = ("", "", "Hallo zusammen,\n\n", "Hi,\n\n", "Moin,\n\n", "Guten Abend,\n\n",
             "Hallo Community,\n\n")
TRIED = ("", "", "Neustart habe ich schon probiert, hat nichts gebracht.",
         "Auf Werkseinstellungen zurücksetzen würde ich gern vermeiden.",
         "Beim Support war ich schon, bisher ohne Lösung.",
         "Ich bin technisch nicht so fit, bitte möglichst einfach erklären.")
THANKS = ("Danke im Voraus!", "Vielen Dank für eure Hilfe.", "Bin für jeden Tipp dankbar.",
          "Grüße aus {city}", "Danke!", "")

# what members answer when they cannot (yet) solve it
REPLIES = (
    "Hast du das Gerät schon einmal ganz ausgeschaltet und nach einer Minute wieder "
    "eingeschaltet? Klingt banal, hat bei mir schon oft geholfen.",
    "Welche Softwareversion ist denn installiert? Dann kann man besser helfen.",
    "Genau das gleiche Problem habe ich auch, bei mir in {city}. Ich verfolge das hier mal.",
    "Schau mal auf der Störungsseite nach, ob in deiner Region gerade etwas bekannt ist.",
    "Bei mir hat es sich nach ein paar Tagen von selbst erledigt, vermutlich war es eine "
    "Störung.",
    "Kannst du einen Screenshot der Einstellungen posten? Persönliche Daten bitte "
    "schwärzen.",
    "Teste doch mal mit einer anderen SIM bzw. einem anderen Gerät, dann weißt du, ob es "
    "am Gerät oder am Anschluss liegt.",
    "Hatte ich letzten Monat auch. Bei mir kam die Lösung vom Support, ich schreibe "
    "nachher, was die gemacht haben.",
)
FIX_LEAD = ("", "", "Das Problem hatte ich auch. ", "Ich hatte genau das gleiche Problem. ",
            "Kurzer Tipp: ", "Bei mir hat Folgendes geholfen: ")
STAFF_ANSWER = ("Hallo {asker},\n\ndanke für deine Frage! {fix}\n\nWenn es danach immer "
                "noch nicht klappt, melde dich gern hier, dann schauen wir uns das genauer "
                "an. Bitte poste keine Kundennummer oder Adresse öffentlich.\n\nViele Grüße\n"
                "{name} vom Testlab-Team")
# the team asks back when nobody knows the answer yet
STAFF_QUESTION = ("Hallo {asker},\n\ndanke für deine Frage! Damit wir helfen können: Seit "
                  "wann genau tritt das auf, und hast du schon ein anderes Gerät ausprobiert? "
                  "Bitte poste keine Kundennummer oder Adresse öffentlich, wir melden uns "
                  "bei Bedarf per Nachricht.\n\nViele Grüße\n{name} vom Testlab-Team")

# who answers what, by demo member handle (lab.demo.MEMBERS); others answer less often
EXPERTS = {
    "mobilfunk": ("SmartphoneSven", "Lukas_5G", "mobil_mia", "Nordlicht"),
    "internet-festnetz": ("routerrita", "MeshMichael", "FritzFan", "lea.linux"),
    "tv-entertainment": ("tv_tanja", "Streamer_Sam", "Techniktom"),
    "geraete-zubehoer": ("AppAylin", "sabine_s", "Jonas.J"),
    "testlabor": ("anna.k", "kai.tests", "AppAylin"),
}

# -- the special threads ----------------------------------------------------------------

LOCKED_THREAD = {
    "title": "Wann kommt endlich Glasfaser nach Wüstenbrand?",
    "body": "Seit drei Jahren heißt es, Glasfaser kommt \"bald\". Die Nachbargemeinde hat "
            "es längst, wir sitzen immer noch bei 16 MBit/s. Gibt es irgendeinen "
            "verbindlichen Termin?",
    "tags": "glasfaser, ausbau",
    "replies": (
        "Bei uns in der Nachbarstraße wird seit Wochen gebaggert, vielleicht geht es "
        "jetzt wirklich los.",
        "Ich frage mich auch, warum die Dörfer immer zuletzt drankommen.",
        "Die Vorvermarktung lief doch im Frühjahr, habt ihr euch da eingetragen?",
        "Drei Jahre sind echt zu lang. Ich überlege schon, auf 5G-Zuhause umzusteigen.",
    ),
    "official": "Hallo zusammen,\n\nwir verstehen den Ärger. Zum Stand: der Ausbau in "
                "Wüstenbrand ist für das dritte Quartal geplant, die Tiefbauarbeiten "
                "beginnen im Ortskern. Ob deine Adresse dabei ist, siehst du auf der "
                "Ausbauseite mit der Adressprüfung.\n\nViele Grüße\n{name} vom Testlab-Team",
    "reason": "Zum Ausbau in Wüstenbrand ist alles gesagt: die Termine stehen in der "
              "offiziellen Antwort. Wir schließen das Thema, damit sie nicht untergeht.",
}
DUPLICATE = {
    "title": "eSIM vom alten Handy aufs neue mitnehmen?",
    "body": "Ich bekomme nächste Woche ein neues Smartphone. Kann ich die eSIM einfach "
            "mitnehmen oder muss ich etwas bestellen? Danke!",
    "tags": "esim",
}
HIDDEN_ANSWER = {
    "body": "Ich kann dir das für 20 € per Fernwartung einrichten, ruf mich einfach an: "
            "0151 23456789.",
    "flags": ("Bietet bezahlte Hilfe an und postet eine Telefonnummer.",
              "Werbung für eine kostenpflichtige Dienstleistung."),
    "reason": "Bitte keine Telefonnummern und keine bezahlten Dienstleistungen in der "
              "Community anbieten. Hilfe ist hier kostenlos, danke für dein Verständnis!",
}
# answers and a question that wait in the moderation queue: (body, reasons of the flags)
FLAGGED_ANSWERS = (
    ("Die Hotline ist eh unfähig, da brauchst du gar nicht erst anzurufen. Kündigen und "
     "fertig.", ("Unfreundlich und hilft nicht weiter.", "Der Ton ist daneben.")),
    ("Flash einfach eine inoffizielle Firmware, die findest du in einschlägigen Foren. "
     "Damit kannst du auch die Drosselung umgehen.",
     ("Gefährlicher Tipp: inoffizielle Firmware und Umgehen der Drosselung.",)),
    ("Schick mir deine Kundennummer und dein Passwort an tom.technik@example.com, dann "
     "schaue ich mal nach.", ("Fragt nach Passwort und Kundennummer: Phishing-Gefahr!",)),
)
FLAGGED_QUESTION = {
    "title": "Verkaufe {phone}, kaum benutzt, mit OVP",
    "body": "Hallo, ich verkaufe mein {phone}, 128 GB, kaum benutzt, mit "
            "Originalverpackung. Preis VB, Abholung in {city} oder Versand. Bei Interesse "
            "einfach melden!",
    "tags": "verkauf",
    "reason": "Verkaufsanzeige, gehört nicht in die Community.",
}
ARTICLE_INTRO = ("Diese Anleitung ist aus einer Frage in der Community entstanden. Die "
                 "Lösung hat vielen Mitgliedern geholfen, deshalb haben wir sie hier "
                 "zusammengefasst.")
ARTICLE_OUTRO = ("Hat das nicht geholfen? Stell deine Frage in der Community oder "
                 "schreib uns, wir helfen gern weiter.")


# -- the plan -----------------------------------------------------------------------------

@dataclass
class Asked:
    """A question as planned; ``id`` once it is asked."""

    author: User
    category: str
    title: str
    body: str
    tags: str
    at: datetime
    topic: Topic | None = None
    words: dict = field(default_factory=dict)
    problem: str = ""  # the description without greeting and thanks, for an article
    answers: list[Answered] = field(default_factory=list)
    closes_at: datetime | None = None  # locked or marked duplicate then: nothing after
    solved_at: datetime | None = None
    id: int | None = None


@dataclass
class Answered:
    question: Asked
    author: User
    body: str
    at: datetime
    fix: bool = False
    id: int | None = None


@dataclass
class Story:
    """The demo's people, its random numbers, and everything planned, by moment."""

    now: datetime
    rng: random.Random
    members: list[User]
    staff: list[User]
    categories: dict[str, int]
    events: list[tuple[datetime, int, Callable[[], object]]] = field(default_factory=list)
    asked: list[Asked] = field(default_factory=list)
    # The posts of the last few days, held so that they stay in the session's (weak)
    # identity map, where the services find them instead of loading them again. Only
    # the recent ones: an ORM UPDATE compares its criteria with every loaded object of
    # its class, so holding all of them would make each counter update slower.
    recent: deque = field(default_factory=lambda: deque(maxlen=RECENT_POSTS))

    def later(self, moment: datetime, fn: Callable[[], object]) -> bool:
        """Plan fn at moment, if that is in the past; False if it is not (yet)."""
        if moment > self.now - timedelta(minutes=2):
            return False
        self.events.append((moment, len(self.events), fn))
        return True

    def member(self, *, besides=(), category: str | None = None) -> User:
        taken = {u.id for u in besides}
        pool = [m for m in self.members if m.id not in taken]
        experts = set(EXPERTS.get(category, ())) if category else set()
        weights = [4 if m.handle in experts else 1 for m in pool]
        return self.rng.choices(pool, weights)[0]

    def members_besides(self, besides, count: int) -> list[User]:
        taken = {u.id for u in besides}
        pool = [m for m in self.members if m.id not in taken]
        return self.rng.sample(pool, min(count, len(pool)))


def seed(*, staff1: User, staff2: User, members: list[User]) -> None:
    """Build the demo community, unless there are questions already."""
    if db.session.scalar(select(Question.id).limit(1)) is not None:
        return
    members = [m for m in members if m is not None]
    if len(members) < 8:
        return
    categories = dict(db.session.execute(select(Category.slug, Category.id)).all())
    if not set(CATEGORY_SLUGS) <= set(categories):
        return
    story = Story(utcnow().replace(microsecond=0), random.Random(SEED), members,
                  [staff1, staff2], categories)
    _plan(story)
    first_notification = db.session.scalar(select(func.max(Notification.id))) or 0
    # The demo members post far more often than the pace limit for new members allows
    # (questions and answers of a busy thread fall within one hour), and without the
    # rewards history most of them are below the "helper" level. Their reputation comes
    # only from the ledger, so rather than faking points the limit is lifted while the
    # demo is written, and restored afterwards.
    config = current_app.config
    pace = config["NEW_MEMBER_POSTS_PER_HOUR"]
    config["NEW_MEMBER_POSTS_PER_HOUR"] = 1_000_000
    try:
        for moment, _order, act in sorted(story.events, key=lambda e: (e[0], e[1])):
            with frozen_at(moment):
                act()
                db.session.flush()
    finally:
        config["NEW_MEMBER_POSTS_PER_HOUR"] = pace
    # what happened over a week ago has been read by the members it was for
    db.session.execute(update(Notification).where(
        Notification.id > first_notification, Notification.read_at.is_(None),
        Notification.created_at < story.now - READ_AFTER).values(read_at=story.now))
    db.session.flush()


def _plan(story: Story) -> None:
    rng = story.rng
    titles_used: set[str] = set()
    for n in range(QUESTIONS):
        # the oldest first, so that "the first question of a topic" is the oldest
        age = timedelta(days=DAYS) * (1 - (n + rng.random()) / QUESTIONS)
        asked_at = _daytime(story.now - age, rng)
        question = _question(story, asked_at, titles_used)
        story.asked.append(question)
    articles = _choose_articles(story)
    for question in story.asked:
        _thread(story, question, force=question in articles)
    # the newest threads draw fewer numbers when some of their steps lie in the future:
    # the special threads draw from a fresh sequence, the same at any time of day
    story.rng = random.Random(SEED + 1)
    _special_threads(story)
    for question in articles:
        _article(story, question)


def _daytime(moment: datetime, rng: random.Random) -> datetime:
    """Members post between 6:00 and 23:00 (UTC, near enough)."""
    moment = moment.replace(hour=rng.randint(6, 22), minute=rng.randint(0, 59),
                            second=rng.randint(0, 59), microsecond=0)
    return moment


def _words(story: Story) -> dict[str, str]:
    rng = story.rng
    since = rng.choice(SINCE)
    return {"phone": rng.choice(PHONES), "router": rng.choice(ROUTERS),
            "fritzbox": rng.choice(FRITZBOXES), "dsl_router": rng.choice(DSL_ROUTERS),
            "tv_box": rng.choice(TV_BOXES), "smart_tv": rng.choice(SMART_TVS),
            "watch": rng.choice(WATCHES), "product": rng.choice(PRODUCTS),
            "city": rng.choice(CITIES), "room": rng.choice(ROOMS),
            "country": rng.choice(COUNTRIES), "since": since,
            "since_short": since.removeprefix("seit ")}


def _question(story: Story, asked_at: datetime, titles_used: set[str]) -> Asked:
    rng = story.rng
    category = rng.choices(list(CATEGORY_WEIGHTS), list(CATEGORY_WEIGHTS.values()))[0]
    topics = [t for t in TOPICS if t.category == category]
    for _attempt in range(6):  # a title not used yet, if the templates allow
        topic, words = rng.choice(topics), _words(story)
        title = rng.choice(topic.titles).format(**words)
        if title not in titles_used:
            break
    titles_used.add(title)
    tried, greeting = rng.choice(TRIED), rng.choice(GREETINGS)
    problem = topic.body.format(**words)
    opening = problem.split(" ", 1)[0]
    if greeting and opening in LOWER_AFTER_GREETING:  # "Hallo zusammen,\n\nseit ..."
        problem = opening.lower() + problem[len(opening):]
    body = (greeting + problem + (f" {tried}" if tried else "") + "\n\n"
            + rng.choice(THANKS).format(**words))
    tags = list(topic.tags)
    if "fritz" in title.lower() and "fritzbox" not in tags:
        tags.append("fritzbox")
    return Asked(author=story.member(), category=category, title=title, body=body.strip(),
                 tags=", ".join(tags), at=asked_at, topic=topic, words=words,
                 problem=topic.body.format(**words))


def _choose_articles(story: Story) -> list[Asked]:
    """The oldest question of each topic with an article title: it will be solved."""
    chosen, seen = [], set()
    for question in story.asked:
        topic = question.topic
        if topic.article and topic.article not in seen \
                and question.at < story.now - timedelta(days=20):
            seen.add(topic.article)
            chosen.append(question)
    return chosen


def _ask(story: Story, question: Asked) -> bool:
    def act():
        asked = posts.ask(question.author, title=question.title, body=question.body,
                          category_id=story.categories[question.category], tags=question.tags)
        question.id = asked.id
        story.recent.append(asked)
    return story.later(question.at, act)


def _answer(story: Story, question: Asked, author: User, body: str, at: datetime,
            fix: bool = False) -> Answered | None:
    if question.closes_at is not None and at >= question.closes_at:
        return None
    planned = Answered(question, author, body, at, fix)

    def act():
        answered = posts.answer(author, question.id, body=body)
        planned.id = answered.id
        story.recent.append(answered)
    if not story.later(at, act):
        return None
    question.answers.append(planned)
    return planned


def _thread(story: Story, question: Asked, *, force: bool = False) -> None:
    """Ask the question; then, as time goes by, me-toos, answers, votes, the solution."""
    rng = story.rng
    if not _ask(story, question):
        return
    age = story.now - question.at
    unanswered = 0.45 if age < timedelta(days=2) else 0.04
    count = 0 if rng.random() < unanswered and not force else rng.choices(
        (1, 2, 3, 4, 5, 6), (34, 32, 17, 9, 5, 3))[0]
    _me_toos(story, question)
    if not count:
        return
    solved = force or rng.random() < 0.5
    fix_at = rng.randrange(count)
    staff_at = rng.randrange(count) if rng.random() < 0.25 else None
    moment, authors = question.at, [question.author]
    for place in range(count):
        moment += timedelta(minutes=rng.randint(8, 60)) * (1 + rng.expovariate(0.4))
        fix = place == fix_at and (solved or rng.random() < 0.6)
        if place == staff_at:
            author = rng.choice(story.staff)
            body = (STAFF_ANSWER if fix else STAFF_QUESTION).format(
                asker=question.author.handle, fix=_fix(question, rng, lead=False) if fix
                else "", name=author.handle.split("-")[-1])
        else:
            author = story.member(besides=authors, category=question.category)
            authors.append(author)
            body = _fix(question, rng) if fix else rng.choice(REPLIES).format(
                **question.words)
        answer = _answer(story, question, author, body, moment, fix)
        if answer is None:
            break
        _votes(story, answer)
    fixes = [a for a in question.answers if a.fix]
    if solved and fixes:
        _accept(story, question, fixes[0],
                fixes[0].at + timedelta(hours=rng.uniform(0.5, 30)),
                rng.choice(story.staff) if rng.random() < 0.15 else question.author)


def _fix(question: Asked, rng: random.Random, *, lead: bool = True) -> str:
    tip = rng.choice(question.topic.fixes)
    return (rng.choice(FIX_LEAD).format(**question.words) if lead else "") + tip


def _me_toos(story: Story, question: Asked) -> None:
    rng = story.rng
    count = rng.choices((0, 1, 2, 3, 5, 8, 12), (50, 22, 12, 7, 5, 3, 1))[0]
    for member in story.members_besides([question.author], count):
        moment = question.at + timedelta(minutes=rng.randint(10, 60 * 24 * 6))
        if question.closes_at is None or moment < question.closes_at:
            story.later(moment, lambda m=member: posts.me_too(m, question.id))


def _votes(story: Story, answer: Answered | None, *, until: datetime | None = None) -> None:
    rng = story.rng
    if answer is None:
        return
    if answer.fix:
        count = rng.choices((1, 2, 3, 4, 6), (58, 24, 10, 5, 3))[0]
    else:
        count = 1 if rng.random() < 0.08 else 0
    for voter in story.members_besides([answer.author], count):
        moment = answer.at + timedelta(minutes=rng.randint(5, 60 * 24 * 4))
        closes = min(filter(None, (until, answer.question.closes_at)), default=None)
        if closes is None or moment < closes:
            story.later(moment, lambda v=voter: votes.vote(v, answer.id))


def _accept(story: Story, question: Asked, answer: Answered, moment: datetime,
            actor: User) -> None:
    if question.closes_at is not None and moment >= question.closes_at:
        return
    if story.later(moment, lambda: solutions.accept(actor, question.id, answer.id)):
        question.solved_at = moment


def _article(story: Story, question: Asked) -> None:
    if question.solved_at is None:
        return
    staff = story.staff[len(question.title) % len(story.staff)]

    def act():
        # the accepted tip without the thread's greetings, then the topic's other tips
        solution = solutions.accepted_answer(question.id).body
        fixes = question.topic.fixes
        tip = next((fix for fix in fixes if fix in solution), solution)
        body = f"{ARTICLE_INTRO}\n\n## Das Problem\n\n{question.problem}\n\n" \
               f"## Die Lösung\n\n{tip}\n\n"
        others = [fix for fix in fixes if fix != tip]
        if others:
            body += "## Wenn das nicht reicht\n\n" + "\n".join(f"- {fix}" for fix in others) \
                + "\n\n"
        body += ARTICLE_OUTRO
        knowledge.publish(staff, question.id, title=question.topic.article, body=body,
                          category_id=story.categories[question.category])
    story.later(question.solved_at + timedelta(days=2, hours=3), act)


def _special_threads(story: Story) -> None:
    rng = story.rng
    moderator = story.staff[0]
    # a long thread about fibre in a village, locked after the team answered
    asked_at = _daytime(story.now - timedelta(days=41), rng)
    locked = Asked(author=story.member(), category="internet-festnetz",
                   title=LOCKED_THREAD["title"], body=LOCKED_THREAD["body"],
                   tags=LOCKED_THREAD["tags"], at=asked_at, words=_words(story))
    story.asked.append(locked)
    _ask(story, locked)
    moment, authors = asked_at, [locked.author]
    for reply in LOCKED_THREAD["replies"]:
        moment += timedelta(hours=rng.uniform(1, 9))
        author = story.member(besides=authors)
        authors.append(author)
        _votes(story, _answer(story, locked, author, reply, moment),
               until=asked_at + timedelta(days=2))
    moment += timedelta(hours=5)
    official = _answer(story, locked, moderator, LOCKED_THREAD["official"].format(
        name=moderator.handle.split("-")[-1]), moment)
    _votes(story, official, until=asked_at + timedelta(days=2))
    locked.closes_at = asked_at + timedelta(days=2)
    story.later(locked.closes_at, lambda: moderation.lock(moderator, locked.id,
                                                          LOCKED_THREAD["reason"]))

    # the eSIM question asked again: marked a duplicate of the first one
    original = next(q for q in story.asked if q.topic and q.topic.titles[0].startswith(
        "eSIM auf neues"))
    asked_at = _daytime(original.at + timedelta(days=24), rng)
    duplicate = Asked(author=story.member(besides=[original.author]), category="mobilfunk",
                      title=DUPLICATE["title"], body=DUPLICATE["body"],
                      tags=DUPLICATE["tags"], at=asked_at, words=_words(story))
    story.asked.append(duplicate)
    _ask(story, duplicate)
    duplicate.closes_at = asked_at + timedelta(hours=3)
    for member in story.members_besides([duplicate.author, original.author], 2):
        story.later(asked_at + timedelta(minutes=rng.randint(20, 150)),
                    lambda m=member: posts.me_too(m, duplicate.id))
    story.later(duplicate.closes_at, lambda: moderation.mark_duplicate(
        moderator, duplicate.id, original.id))

    # an answer offering paid help with a phone number: flagged twice, then hidden
    taken: set[int] = set()
    target = _open_thread(story, taken, older_than=30)
    spammer = story.member(besides=[target.author] + [a.author for a in target.answers])
    moment = target.answers[-1].at + timedelta(hours=2)
    hidden = _answer(story, target, spammer, HIDDEN_ANSWER["body"], moment)
    reporters = story.members_besides([spammer, target.author], 2)
    for reporter, reason in zip(reporters, HIDDEN_ANSWER["flags"], strict=True):
        moment += timedelta(minutes=rng.randint(20, 120))
        story.later(moment, lambda r=reporter, why=reason: moderation.flag(
            r, ANSWER, hidden.id, why))
    story.later(moment + timedelta(hours=3), lambda: moderation.hide(
        moderator, ANSWER, hidden.id, HIDDEN_ANSWER["reason"]))

    # posts waiting in the moderation queue, flagged in the last few days
    for days, (body, reasons) in zip((6, 4, 2), FLAGGED_ANSWERS, strict=True):
        target = _open_thread(story, taken, newer_than=days + 12, older_than=days)
        author = story.member(besides=[target.author] + [a.author for a in target.answers])
        moment = max(target.answers[-1].at + timedelta(hours=1),
                     _daytime(story.now - timedelta(days=days), rng))
        answer = _answer(story, target, author, body, moment)
        for reporter, reason in zip(story.members_besides([author], len(reasons)), reasons,
                                    strict=True):
            moment += timedelta(minutes=rng.randint(30, 300))
            story.later(moment, lambda r=reporter, why=reason, a=answer: moderation.flag(
                r, ANSWER, a.id, why))
    words = _words(story)
    asked_at = _daytime(story.now - timedelta(days=3), rng)
    sale = Asked(author=story.member(), category="geraete-zubehoer",
                 title=FLAGGED_QUESTION["title"].format(**words),
                 body=FLAGGED_QUESTION["body"].format(**words),
                 tags=FLAGGED_QUESTION["tags"], at=asked_at, words=words)
    story.asked.append(sale)
    _ask(story, sale)
    reporter = story.member(besides=[sale.author])
    story.later(asked_at + timedelta(hours=2), lambda: moderation.flag(
        reporter, QUESTION, sale.id, FLAGGED_QUESTION["reason"]))


def _open_thread(story: Story, taken: set[int], *, older_than: int,
                 newer_than: int = DAYS) -> Asked:
    """An answered question of the plan, neither locked nor marked nor taken yet, asked
    between ``newer_than`` and ``older_than`` days ago (the oldest such one)."""
    question = next(q for q in story.asked
                    if q.answers and q.closes_at is None and q.topic is not None
                    and id(q) not in taken
                    and story.now - timedelta(days=newer_than) <= q.at
                    <= story.now - timedelta(days=older_than))
    taken.add(id(question))
    return question
