"""The reply check's rules: what a lead would strike out of a staff reply before it goes public.

Each rule reads the draft as typed (capitals, digits, addresses) or folded (lower case, no diacritics, so
"klamie" matches "kłamie"), and returns reason codes. Rules are for what can be named precisely — capitals,
phone numbers, "przeczytaj regulamin" — the model in `check_model.py` for tone that has a thousand wordings.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from czujka.analysis.normalize import strip_diacritics

Rule = Callable[[str, str], bool]  # (draft as typed, folded) -> flagged


def fold(text: str) -> str:
    return " ".join(strip_diacritics(text.lower()).replace("’", "'").split())


def _any(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns))


ARGUES = _any(
    # accusing the customer of lying or of being wrong
    r"\bklam\w*",
    r"\bnieprawd\w*",
    r"\bbzdur\w*",
    r"wyssan\w* z palca",
    r"mija\w* sie z prawda",
    r"nie ma pan\w* racji",
    r"\bpan\w* sie myli",
    r"wprowadza\w* (\w+ )?w blad",
    r"(wymyslon|bezpodstawn)\w* zarzut",
    r"\bdowodow brak",
    r"\blying\b",
    r"\b(is|that'?s|simply) not true\b",
    r"\bnot the truth\b",
    r"(doesn'?t|does not|don'?t) match our records",
    r"nie zgadza sie z naszymi danymi",
    # "read the terms", "you should have"
    r"(przeczyta\w*|czyta\w*|zapozna\w* sie z) (\w+ )?(regulamin|opis|mail|zasad|informacj)",
    r"ze zrozumieniem",
    r"wystarczy przeczytac",
    r"\b(read|check) (our|the) (terms|policy|description|faq|email|rules)",
    r"\bif you had (read|checked|chosen)",
    r"\byou should have\b",
    r"\btrzeba bylo\b",
    r"\blepiej bylo\b",
    r"\bgdyby pan\w*( \w+)? (przeczyta|sprawdzi|wybra|czyta)",
    r"\bsam\w? pan\w* (zaznaczy|wybra|potwierdzi|poda)",
    r"\bto pan\w* (wybral|zamowil|wina|problem)",
    r"\b(pan\w*|klienta|your) (wina|fault)\b",
    r"\bjuz (pan\w*|twoj) problem",
    r"\byou picked\b",
    r"\bbefore (accusing|complaining)",
    r"\bzanim zacznie\w* (pan\w* )?oskarza",
    r"\b(czy|did you) (\w+ )?(sprawdzil|przeczytal|check|read)\w*( pan\w*)? (w ogole|at all)",
    # sarcasm and contempt
    r"\bgratulujemy logiki|\bgreat logic\b",
    r"\bbrawo\b",
    r"\boh sure\b",
    r"\boczywiscie, bo\b",
    r"\bwidocznie\b",
    r"\bchyba pan\w* zartuje",
    r"\b(ciekawe|dziwne), ze\b|\bfunny how\b|\bstrange that\b",
    r"\bjak widac\b|\bas you can see\b",
    r"\bclearly stated\b|\bplease read\b",
    r"nie kazdemu da sie dogodzic",
    r"\bz calym szacunkiem\b|\bwith all due respect\b",
    r"\bpretensj\w*",
    r"\bekspert od\b",
    r"\bskoro (pan\w* )?(wie|jest) (pan\w* )?(lepiej|taka|taki)",
    r"\bkupowac gdzie indziej\b|\bshop (somewhere|elsewhere)\b",
    r"\bzapraszamy do pracy u nas\b",
    r"\bnie (umie|potrafi)\w* (pan\w* )?(korzysta|czyta|obslug)",
    r"\b(clearly|obviously) you\b|\bdon'?t know how to\b",
    r"\b(everyone|nobody) else\b|\bnikt poza pan\w*",
    r"\bwe won'?t argue\b|\bnie bedziemy (dyskutowac|tego komentowac)",
    r"\b(nie zna|doesn'?t know|don'?t know) (\w+ )?fakt",
    r"\b(oczekiwania sa nierealne|unrealistic)",
    r"\bkroki prawne\b|\blegal action\b",
    r"\bkonto konkurencji\b|\bfake account\b",
    r"\bprosimy (przestac|nie pisac)\b|\bstop (posting|writing)\b",
    r"\bjeszcze raz powtarzam\b|\bile razy\b|\bhow many times\b",
    r"\b(dobrze|przeciez) pan\w* (o tym )?wie\b",
    r"\bzamiast pisac\b",
    r"\bradzimy dokladniej\b",
)

DEFENSIVE = _any(
    r"\bnie (jest )?(to )?(wylacznie )?nasz\w* win\w*",
    r"\bnie nasza wina\b",
    r"\bto nie my (\w+ )?(zgubil|zawinil|jestesmy|popelnil|zepsul)\w*|\bit'?s not us who\b|\bit was(n'?t| not) us\b",
    r"\bwin\w* (po stronie )?(kurier|przewoznik|poczt|producent|bank|system|dostawc)\w*",
    r"\b(kurier|przewoznik|producent|system) (\w+ )?(odpowiada|zawinil)",
    r"\bnie (ponosimy|bierzemy) odpowiedzialnosci\b|\bnie odpowiadamy za\b",
    r"\bnie mamy (na to |na nia |na niego )?wplywu\b",
    r"\bnie mamy sobie nic do zarzucenia\b",
    r"\bzgodnie z (naszymi |obowiazujacymi )?(procedur|prawem|regulaminem sklepu)",
    r"\b(tysiace|setki|wielu) (zadowolonych|szczesliwych)",
    r"\bod \d+ lat\b|\bw (tej )?branzy\b",
    r"\bzrobilismy (wszystko|co moglismy|co do nas nalezalo)",
    r"\bz naszej strony wszystko\b|\bnie lezy po naszej stronie\b",
    r"\bwszystko (bylo|przebieglo|zostalo) (w porzadku|prawidlowo|w terminie)",
    r"\bnie zgadzamy sie\b",
    r"\b(sa|jest) krzywdzac\w*|\bhejt\w*",
    r"\bspelnia wszystkie normy\b|\bnajwyzszej jakosci\b",
    r"\bnie widzimy (tu |w tym )?(bledu|problemu)",
    r"\binne sklepy\b|\bother (shops|stores)\b",
    r"\bstaramy sie jak najlepiej\b",
    r"\bnikt (inny )?(sie )?nie (skarzyl|mial)",
    r"\bnie (zauwazylismy|odnotowalismy)\b",
    r"\bzrobil\w*,? co mogl\w*",
    r"\bmusial\w* powstac u\b",
    r"\btylko sprzedajemy\b",
    r"\bjestesmy mala firma\b",
    r"\bnot our fault\b|\bnot (entirely )?our (fault|problem)\b",
    r"\b(are|is) not (responsible|to blame)\b|\bcannot be blamed\b",
    r"\bno control over\b",
    r"\bfollowed (all |our )?(the )?procedures?\b",
    r"\bdid nothing wrong\b",
    r"\b(thousands|hundreds) of (happy|satisfied)\b",
    r"\b\d+ years\b",
    r"\bknow what we'?re doing\b|\bwiemy, co robimy\b",
    r"\b(isn'?t|is not|not) on our (side|end)\b",
    r"\bmeets all (the )?standards\b",
    r"\b(courier|carrier|provider|supplier)'?s? (fault|issue|actions)\b|\bcourier is responsible\b",
    r"\btake it up with\b",
)

DEFERS = _any(
    r"\b(prosimy|prosze)( \w+)? o kontakt\b",
    r"\bskontaktowa\w* (sie )?z\b",
    r"\bkontakt(u|owac)? (sie )?z (naszym |nasz\w* )?(biur|dzial|infolini|kurier|bank)",
    r"\bkontakt mailowy\b",
    r"\b(napisa|pisa)c (maila|na adres|ponownie|do biura)",
    r"\bprzez formularz\b",
    r"\b(zadzwoni|dzwoni)c (do|na)\b",
    r"\bw poniedzialek\b|\bdo poniedzialku\b|\bod poniedzialku\b",
    r"\bpo weekendzie\b|\bw weekend\w* (biuro|nie)\b",
    r"\bw (dni|dzien) robocz\w*|\bw godzinach pracy\b",
    r"\bbiuro (jest |bedzie )?(nie)?czynne\b",
    r"\bsprawdzimy\b|\bsprawdzamy\b",
    r"\b(przyjrzymy|zajmiemy) sie\b|\bzajmie sie\b",
    r"\bodezw\w* sie\b(?! do pan\w* (dzis|jutro))",
    r"\bwrocimy do\b",
    r"\bprzekaz\w* (sprawe |go |je )?(dalej|do)\b",
    r"\bjak najszybciej\b|\bwkrotce\b|\bgdy tylko\b",
    r"\bw (swoim|stosownym|pozniejszym) (czasie|terminie)\b",
    r"\bprosimy o cierpliwosc\b|\bprosimy czekac\b",
    r"\bw trakcie wyjasniania\b|\bzostanie (rozpatrzon|wyjasnion)\w*",
    r"\bw przyszlym tygodniu\b",
    r"\bsledzic nasz profil\b",
    r"\bnie mamy wiecej informacji\b",
    r"\bnie mozemy (tego )?(teraz )?(sprawdzic|pomoc|nic zrobic)\b|\bnic nie mozemy\b",
    r"\bw kolejce\b",
    r"\bnie obslugujemy\b",
    r"\bktos (sie )?(odezwie|odpowie)\b|\bsomeone will\b",
    r"\bcontact (us|our|your)\b|\bget in touch\b|\bplease (email|call|write)\b",
    r"\b(contact|call|write|email|get in touch)\b[^.!?]*\bon monday\b",
    r"\b(during|in|within) (business|office|opening|working) (hours|days)\b",
    r"\b(look|looking) into it\b|\bget back to you\b|\bpassed (this|it) on\b",
    r"\bas soon as possible\b|\bmore information soon\b|\bin due course\b",
    r"\brelevant (team|department)\b",
)
# When the shop itself will act, and when: what turns "we'll get back to you" into a next step.
SHOP_ACTS = _any(
    r"\b(napisze|odpisze|odpowiem|odezw|zadzwoni|oddzwoni|wysl|przesl|potwierdz|dostarcz|dowiez|zwroc"
    r"|podam|podamy|damy|dam znac|opublikuj|opiszemy|dostanie|otrzyma|wyjdzie|dojedzie|ustal|przyjm)\w*",
    r"\b(we'?ll|i'?ll|will) (message|reply|write|call|send|confirm|refund|deliver|post|book|tell|let)",
    r"\b(you'?ll|you will) (have|get|receive|hear back)\b",
    # already done: nothing is deferred
    r"\b(i'?ve|we'?ve|i have|we have) (sent|issued|refunded|booked|shipped|dispatched)\b|\bwas (issued|sent|refunded|dispatched)\b",
    r"\b(zlecil|wyslal|przeslal|zwrocil|nadal)\w*",
    r"\bdam (\w+ )?(odpowiedz|znac|decyzje)\b|\bdostanie (pan\w* )?(odpowiedz|decyzje)\b",
    r"\bwill (arrive|reach|be back)\b",
)
WHEN = _any(
    r"\b\d{1,2}[:.]\d{2}\b",
    r"\b(do|przed|o|od|by|at|before) (godz\w* )?\d{1,2}( ?(am|pm))?\b",
    r"\bw ciagu (\d+|godziny|pol godziny|kwadransa|dnia|\w+ minut)",
    r"\bmiedzy \d{1,2} a \d{1,2}\b|\bbetween \d{1,2}( ?[ap]m)? and \d{1,2}",
    r"\b(dzis|dzisiaj|jutro|pojutrze|teraz|od razu|od reki|zaraz|natychmiast|wieczorem|rano|przed poludniem)\b",
    r"\bdo (poniedzialku|wtorku|srody|czwartku|piatku|soboty|niedzieli|jutra)\b(?! (nic|nie))",
    r"\bnajpozniej\b|\bw przyszlym tygodniu\b|\bnext week\b",
    r"\b(today|tonight|tomorrow|now|right away|this (morning|evening|afternoon)|by (monday|tuesday|wednesday|thursday|friday|noon))\b",
    r"\bwithin (the |an |\d+ )?(hour|minutes?|\d+)",
)

WARM = _any(
    r"\bdzie?k\w*|\bdziekuj\w*|\bprzeprasz\w*|\bprzykro\b|\bciesz\w*|\bmil\w+ (slow|dnia|weekendu)",
    r"\bthank\w*|\bsorry\b|\bapolog\w*|\bglad\b|\bappreciate\b|\bhave a (nice|great)",
    r"[\U0001F300-\U0001FAFF\u2600-\u27BF]",
)
WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")

ACRONYMS = {
    "DPD", "DHL", "UPS", "GLS", "BLIK", "FAQ", "RODO", "GDPR", "VAT", "PDF", "SMS", "USA", "PLN", "EUR",
    "USD", "GBP", "IBAN", "PIN", "CEO", "GPS", "NIP", "KRS", "PESEL", "BOK", "WWW", "HTTP", "HTTPS", "URL",
    "EKO", "BIO", "XXL", "RMA", "AGD", "RTV", "LTD", "INPOST",
}  # fmt: skip

PROMISES = _any(
    r"\bgwarant\w*",
    r"(?<!nie )\bobiec(uje|ujemy|am|amy)\b",
    r"\bna pewno\b(?=(\W+\w+){0,6}?\W+(dostan|otrzyma|zwroc|dotrze|dojedzie|bedzie|dostarcz|wyjasn|wszystk|przyjdzie|zdazy|jeszcze dzis))",
    r"\b100 ?%",
    r"\bnigdy wiecej\b|\bsie nigdy (wiecej )?nie (powtorzy|zdarzy)",
    r"\bzapewniam\w*",
    r"\bbez watpienia\b",
    r"\bzaden nasz \w+ nigdy\b",
    r"\b(od dzis|od jutra) (kazd|wszystk)\w*",
    r"\bkazda paczka dotrze\b",
    r"\bguarantee\w*",
    r"(?<!not )(?<!n't )\bpromise\b",
    r"\bdefinitely\b",
    r"\bnever happen again\b",
    r"\bwithout (a )?doubt\b|\bi assure you\b",
    r"\bevery (delivery|parcel|order)\b",
)

SHOP_MAILBOXES = (
    "pomoc", "kontakt", "biuro", "sklep", "reklamacje", "zwroty", "info", "support", "help", "bok", "obsluga",
    "zamowienia", "hello", "sales", "orders", "care", "service", "customerservice", "office", "hej",
)  # fmt: skip
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
DIGIT_RUN = re.compile(r"\+?\d[\d \-]{7,}\d")
PERSONAL = _any(
    r"\bul\. ?[A-ZŁŚŻŹĆ]\w+",
    r"\bulic\w* [A-ZŁŚŻŹĆ]\w+ \d",
    r"\b\d{2}-\d{3}\b",  # Polish postal code
    r"\b[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}\b",  # UK postcode
    r"\b\d+[a-z]? [A-Z][a-z]+ (Street|St|Road|Rd|Avenue|Ave|Lane|Close|Drive)\b",
    r"\b[A-Z]{3}\d{2,3}[A-Z]\b",  # parcel locker code
    r"\b[A-Z]{2,4}-\d{4}-\d+\b",  # complaint number
    r"#\d{4,}",
)
ORDER_NUMBER = re.compile(
    r"\b(zamowieni\w*|order|reklamacj\w*|faktur\w*|przesylk\w*|paczk\w*|invoice|parcel|complaint|nr|numer|no\.?)"
    r"( nr\.?| numer| no\.?| number)? ?#?\d{4,}"
)
ASK_PUBLIC = re.compile(
    r"(?<!nie )(?<!don't )(?<!not )\b(poda\w*|wpisa\w*|wpisz\w*|post|share|write|leave)\b(?![^.!?]*(priv|prywat|private|inbox|\bdm\b|messenger))"
    r"[^.!?]*\b(tutaj|tu|here|w komentarzu|below|in the comments)\b[^.!?]*"
    r"|(?<!nie )(?<!don't )\b(poda\w*|post|share)\b[^.!?]*\b(tutaj|tu|here)\b"
)
ASK_PUBLIC_DATA = re.compile(r"\b(numer|telefon|adres|order number|phone|address|e-?mail)\w*")


def shouts(text: str, folded: str) -> bool:
    if "!!" in text or text.count("!") >= 3 or "?!" in text:
        return True
    letters = [c for c in text if c.isalpha()]
    if len(letters) >= 8 and sum(c.isupper() for c in letters) / len(letters) > 0.6:
        return True
    caps = [w for w in WORD.findall(text) if len(w) >= 3 and w.isupper() and w not in ACRONYMS]
    return len(caps) >= 2 or any(len(w) >= 5 for w in caps)


def personal_data(text: str, folded: str) -> bool:
    for match in DIGIT_RUN.finditer(text):
        if sum(c.isdigit() for c in match.group()) >= 9:
            return True
    for match in EMAIL.finditer(text):
        local = fold(match.group().split("@")[0])
        if not any(local == box or local.startswith(box) for box in SHOP_MAILBOXES):
            return True
    if PERSONAL.search(text) or ORDER_NUMBER.search(folded):
        return True
    return any(ASK_PUBLIC_DATA.search(m.group()) for m in ASK_PUBLIC.finditer(folded))


def curt(text: str, folded: str) -> bool:
    return len(WORD.findall(folded)) <= 5 and not WARM.search(folded)


def defers(text: str, folded: str) -> bool:
    return bool(DEFERS.search(folded)) and not (SHOP_ACTS.search(folded) and WHEN.search(folded))


RULES: dict[str, Rule] = {
    "argues": lambda text, folded: bool(ARGUES.search(folded)),
    "defensive": lambda text, folded: bool(DEFENSIVE.search(folded)),
    "defers": defers,
    "curt": curt,
    "shouts": shouts,
    "personal_data": personal_data,
    "promises": lambda text, folded: bool(PROMISES.search(folded)),
}


def rule_reasons(text: str) -> list[str]:
    """The codes the rules find in `text`, in the order of RULES."""
    folded = fold(text)
    return [code for code, rule in RULES.items() if rule(text, folded)]
