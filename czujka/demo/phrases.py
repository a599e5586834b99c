"""What people write under a Polish grocery shop's posts, written for czujka's demo.

Pools are combined with openers and endings so a week reads naturally and no two days repeat.
"""

SHOP = "Zielony Koszyk"
COURIER = "SzybkiKurier"
COMPETITOR = "Koszyk24"

POSTS_FB = [
    "Jesienne jabłka z sadu pod Grójcem już w sklepie! 🍎 Zamówienia do 14:00 wysyłamy tego samego dnia.",
    "Nowość: miód wielokwiatowy z pasieki na Podlasiu. Jak Wam smakuje?",
    "Przepis tygodnia: zupa dyniowa z imbirem. Wszystkie składniki znajdziecie u nas 🎃",
    "Od poniedziałku darmowa dostawa od 149 zł. Dajcie znać, co zamawiacie najczęściej!",
    "Świeże pieczywo na zakwasie — teraz także w paczkomatach.",
    "Black Week w Zielonym Koszyku: -20% na bakalie i orzechy.",
    "Pytanie do Was: jaki owoc chcielibyście widzieć w abonamencie zimowym?",
    "Dziękujemy za 10 tysięcy zamówień w tym roku! ❤️",
    "Uwaga: w weekend możliwe opóźnienia dostaw z powodu pogody. Informujemy na bieżąco.",
    "Kiszonki od pani Marii z Kurpiów wróciły na półki!",
    "Weekendowa promocja: kawa ziarnista z palarni w Krakowie -15%.",
    "Jak przechowywać warzywa korzeniowe zimą? Podpowiadamy w 5 krokach.",
    "Zestaw na Andrzejki już dostępny — z ciastem, herbatą i świecami.",
    "Rozszerzamy dostawy na Pomorze! Gdańsk, Gdynia, Sopot — witajcie!",
]

POSTS_IG = [
    "Poranek w sadzie 🍏 #zielonykoszyk #ekologia",
    "Nasze dynie czekają na Was 🎃 #jesień",
    "Miód prosto z ula 🐝 #podlasie",
    "Chleb na zakwasie, który pachnie domem 🍞",
    "Zimowy abonament owocowy — link w bio 🍊",
    "Kulisy pakowania paczek 📦 #zakulisami",
    "Herbata, koc i nasza konfitura z pigwy ☕",
]

PRAISE = [
    "Zamówiłam w poniedziałek, we wtorek paczka już była. Wszystko świeże, polecam!",
    "Najlepsze jabłka, jakie jadłem od lat 😍",
    "Super obsługa, pani na czacie pomogła mi zmienić adres dostawy w 5 minut.",
    "Miód rewelacja, zamawiam drugi słoik.",
    "Kupuję u Was od roku i jeszcze się nie zawiodłam 👏",
    "Pieczywo przyszło jeszcze ciepłe, magia!",
    "Dziękuję za gratisową herbatkę w paczce, miły gest ❤️",
    "Kiszonki jak u babci. Brawo!",
    "Świetne ceny w Black Week, zrobiłam zapasy na całą zimę.",
    "Polecam każdemu, kto szuka dobrych produktów od rolników.",
    "Przepis na zupę dyniową wypróbowany — wyszła pyszna!",
    "Zawsze dokładnie zapakowane, nic się nie potłukło.",
]

QUESTIONS = [
    "Czy wysyłacie też do Szczecina?",
    "Jaki jest koszt dostawy do paczkomatu?",
    "Czy miód jest nektarowy czy spadziowy?",
    "Do której godziny trzeba zamówić, żeby paczka wyszła dziś?",
    "Czy można płacić BLIKIEM przy odbiorze?",
    "Macie chleb bezglutenowy?",
    "Kiedy wróci konfitura z pigwy?",
    "Czy abonament można zawiesić na czas wyjazdu?",
    "Jak długo jabłka wytrzymają w piwnicy?",
    "Czy dostawa w sobotę też jest możliwa?",
]

MILD_COMPLAINTS = [
    "Jedno jabłko w paczce było obite, ale reszta ok.",
    "Trochę za długo czekałam na odpowiedź na maila.",
    "Ceny poszły w górę od zeszłego miesiąca 😕",
    "Szkoda, że nie ma już dostawy kurierem za 9,99.",
    "Strona mi się zawiesiła przy płatności, musiałam zamawiać dwa razy.",
]

STAFF_REPLIES = [
    "Dziękujemy, bardzo nam miło! 😊",
    "Dzień dobry, tak — dostarczamy na terenie całej Polski.",
    "Dostawa do paczkomatu kosztuje 12,99 zł, a od 149 zł jest darmowa.",
    "Zamówienia złożone do 14:00 wysyłamy tego samego dnia roboczego.",
    "Przykro nam! Prosimy o numer zamówienia w wiadomości prywatnej, wymienimy produkt.",
    "Tak, można płacić BLIKIEM i kartą przy odbiorze.",
    "Konfitura wraca w przyszłym tygodniu, damy znać!",
]

ENGLISH = [
    "Do you ship to Berlin? Love your honey!",
    "Great apples, fast delivery. Thanks!",
    "Is the sourdough bread vegan?",
    "Ordered as a gift for my mum in Kraków, she loved it.",
]

# The Friday-evening courier failure: complaints that rise as the weekend goes on.
CRISIS_COMPLAINTS = [
    f"Gdzie moja paczka? Status od wczoraj „przekazana kurierowi {COURIER}” i nic.",
    "Zamówienie z czwartku, miało być dziś. Nikt nie odbiera telefonu!",
    f"Kurier {COURIER} w ogóle nie przyjechał, a w systemie „nieudana próba doręczenia”. Bzdura!",
    "Zamówiłam pieczywo na sobotę na urodziny dziecka. Nie dojechało. Świetnie.",
    "Trzeci dzień czekam na paczkę z jabłkami, pewnie już zgniły.",
    "Czy ktoś z Was dostał dziś paczkę? Bo ja nie, a płaciłam za ekspres.",
    "Chcę zwrot pieniędzy za dostawę, która nie przyszła.",
    "Piszę na maila i czacie od piątku, zero odpowiedzi. Tak traktujecie klientów?",
    "Mleko i kefir w paczce, która stoi gdzieś od dwóch dni. Kto za to zapłaci?",
    "Nie odpowiadacie na wiadomości, to chociaż napiszcie tutaj, co się dzieje!",
    "Anulujcie moje zamówienie i oddajcie pieniądze.",
    "Paczka zniknęła z trackingu. Rewelacja.",
    "Jesteście bandą nieudaczników, nie sklepem.",
    f"Jeśli to wina {COURIER}, to zmieńcie kuriera, a nie każcie nam czekać.",
    "Miałam odebrać w paczkomacie w sobotę, dalej pusto.",
]

COMPLAINT_OPENERS = [
    "",
    "",
    "Hej,",
    "Halo!",
    "Serio?",
    "Dzień dobry,",
    "No i co?",
    "Pytam już trzeci raz.",
    "Ludzie,",
    "Zielony Koszyku,",
    "Szanowni Państwo,",
    "Masakra.",
]
COMPLAINT_ENDINGS = [
    "Nr zamówienia w wiadomości.",
    "Czekam na odpowiedź.",
    "Bardzo słabo.",
    "Proszę o kontakt.",
    "Ostatni raz u was zamawiam.",
    "Wstyd.",
    "Co dalej?",
    "Dajcie znać cokolwiek.",
]

# Vulgar and insulting comments during the crisis (ground truth: vulgar).
CRISIS_VULGAR = [
    "Kurwa, gdzie jest moja paczka?!",
    "k*rwa mać, trzeci dzień czekam na jabłka",
    "ch#jowa obsługa, nigdy więcej",
    "Oddawajcie kasę, złodzieje jebani",
    "Co za pierdolony burdel z tymi dostawami",
    "Zjebaliście po całości, gratuluję",
    "Spierdalajcie z takim kurierem",
    "k u r w a, 60 zł za dostawę która nie przyszła",
    "Jesteście pojebani z tymi dostawami",
    "wypierdalam do konkurencji, żegnam",
]

# Saturday's quarrel under one post: a customer and a staff member answer each other back and forth.
QUARREL = [
    (False, "Od piątku czekam na zamówienie za 230 zł. Zero informacji. Co się dzieje?"),
    (True, "Dzień dobry, opóźnienia są po stronie kuriera, nie naszej. Prosimy o cierpliwość."),
    (False, "Cierpliwość? Zapłaciłam za dostawę ekspresową! To Wy wybraliście tego kuriera."),
    (True, "Proszę przeczytać regulamin, punkt 7. Nie odpowiadamy za działania firm kurierskich."),
    (False, "Serio odsyłacie mnie do regulaminu? Zamiast przeprosić?"),
    (True, "Nikt Pani nie odsyła. Po prostu to nie jest nasza wina i tyle."),
    (False, "To jest Wasza wina, bo to Wasz sklep i Wasz kurier. Żenada."),
    (True, "Skoro Pani tak uważa, to może lepiej zamawiać gdzie indziej."),
    (False, "Właśnie tak zrobię. I napiszę wszystkim znajomym, jak traktujecie klientów."),
    (False, "Ludzie, uważajcie na ten sklep, obsługa jest bezczelna."),
]

# Sunday's coordinated burst: near-identical one-star opinions from brand-new accounts.
COORDINATED = [
    f"Ocena 1/5. Nie polecam, oszuści, towar nigdy nie dotarł. Lepiej zamawiać w {COMPETITOR}!",
    f"Ocena 1/5. Nie polecam, to oszuści, towar nigdy nie dotarł. Lepiej zamówić w {COMPETITOR}!",
    f"1/5 nie polecam oszuści towar nigdy nie dotarł, lepiej zamawiać w {COMPETITOR}",
    f"Ocena 1/5!!! Nie polecam, oszuści, towar nigdy nie dotarł. Zamawiajcie w {COMPETITOR}.",
]

FIRST_NAMES = [
    "Anna",
    "Katarzyna",
    "Magdalena",
    "Agnieszka",
    "Joanna",
    "Monika",
    "Ewa",
    "Małgorzata",
    "Aleksandra",
    "Piotr",
    "Tomasz",
    "Paweł",
    "Michał",
    "Krzysztof",
    "Marcin",
    "Jakub",
    "Łukasz",
    "Grzegorz",
    "Zofia",
    "Barbara",
    "Dorota",
    "Beata",
    "Wojciech",
    "Marek",
    "Kamil",
    "Natalia",
    "Karolina",
    "Weronika",
]
LAST_NAMES = [  # masculine forms; `surname` gives the feminine one where Polish has it
    "Nowak",
    "Kowalski",
    "Wiśniewski",
    "Wójcik",
    "Kowalczyk",
    "Kamiński",
    "Lewandowski",
    "Zieliński",
    "Szymański",
    "Woźniak",
    "Dąbrowski",
    "Kozłowski",
    "Jankowski",
    "Mazur",
    "Kwiatkowski",
    "Krawczyk",
    "Piotrowski",
    "Grabowski",
    "Nowakowski",
    "Pawłowski",
    "Michalski",
    "Król",
    "Wieczorek",
    "Jabłoński",
]


def surname(last: str, first: str) -> str:
    """Kowalski for Piotr, Kowalska for Anna."""
    if first.endswith("a") and last.endswith(("ski", "cki", "dzki")):
        return last[:-1] + "a"
    return last


IG_HANDLES = [
    "ola_gotuje",
    "kasia.w.kuchni",
    "eko_mama",
    "tomek_biega",
    "zdrowo_i_smacznie",
    "magda.pl",
    "wege_warszawa",
    "piekarnia_domowa",
    "julia_travels",
    "the_honest_eater",
]
