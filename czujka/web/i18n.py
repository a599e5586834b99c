"""The dashboard's words; Polish is the default, English the other language."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from babel import Locale
from babel.dates import format_timedelta

from czujka.vocabulary import kind_name, topic_name

# key: (Polish, English)
WORDS: dict[str, tuple[str, str]] = {
    "ack.title": ("Potwierdź incydent", "Acknowledge the incident"),
    "ack.button": ("Potwierdzam, zajmuję się tym", "Acknowledge: I am on it"),
    "ack.done": ("Potwierdzone. Eskalacja zatrzymana.", "Acknowledged. The escalation has stopped."),
    "ack.invalid": ("Tego linku nie da się użyć", "This link cannot be used"),
    "ack.open": ("Otwórz incydent", "Open the incident"),
    "severity": ("waga", "severity"),
    "profile": ("profil", "profile"),
    "opened": ("otwarty", "opened"),
    "nav.now": ("Teraz", "Now"),
    "nav.incidents": ("Incydenty", "Incidents"),
    "nav.charts": ("Wykresy", "Charts"),
    "nav.oncall": ("Dyżury", "On call"),
    "nav.users": ("Użytkownicy", "Users"),
    "nav.signout": ("Wyloguj", "Sign out"),
    "nav.signout_all": ("Wyloguj wszędzie", "Sign out everywhere"),
    "nav.push": ("Powiadomienia na ten telefon", "Notifications on this phone"),
    "nav.skip": ("Przejdź do treści", "Skip to content"),
    "login.title": ("Logowanie", "Sign in"),
    "login.username": ("Nazwa użytkownika", "User name"),
    "login.password": ("Hasło", "Password"),
    "login.submit": ("Zaloguj", "Sign in"),
    "login.wrong": ("Nieprawidłowa nazwa użytkownika lub hasło.", "Wrong user name or password."),
    "login.wait": (
        "Zbyt wiele błędnych haseł do tego konta. Z nowego urządzenia spróbuj ponownie za {seconds} s; "
        "na urządzeniu, na którym już się logowałeś, zaloguj się od razu.",
        "Too many wrong passwords for this account. From a new device, try again in {seconds} s; on a "
        "device you signed in with before, you can sign in right away.",
    ),
    "login.disabled": ("To konto jest wyłączone.", "This account is disabled."),
    "login.throttled": (
        "Zbyt wiele prób logowania z tego adresu. Spróbuj za kilka minut.",
        "Too many sign-in attempts from this address. Try again in a few minutes.",
    ),
    "login.expired": ("Formularz wygasł; spróbuj jeszcze raz.", "The form expired; please try again."),
    "now.open": ("Otwarte incydenty", "Open incidents"),
    "now.none": ("Brak otwartych incydentów. Spokojnie.", "No open incidents. All quiet."),
    "now.duty": ("Dyżur", "On duty"),
    "now.next": ("następnie", "next"),
    "now.until": ("do", "until"),
    "now.gap": ("LUKA: nikt nie ma dyżuru", "GAP: nobody on duty"),
    "now.gaps": ("Luki w dyżurach w najbliższych 4 tygodniach", "Coverage gaps in the next 4 weeks"),
    "now.feed": ("Na żywo: najnowsze komentarze", "Live: newest comments"),
    "now.flagged": ("tylko oznaczone", "flagged only"),
    "now.all": ("wszystkie", "all"),
    "inc.open_for": ("otwarty od", "open for"),
    "inc.opened_on": ("od", "since"),
    "inc.took": ("trwał", "lasted"),
    "inc.min": ("min", "min"),
    "inc.paged_next": ("następne powiadomienie", "paged next"),
    "inc.acked_by": ("potwierdził(a)", "acknowledged by"),
    "inc.comments": ("komentarzy", "comments"),
    "inc.state.triggered": ("wywołany", "triggered"),
    "inc.state.acknowledged": ("potwierdzony", "acknowledged"),
    "inc.state.resolved": ("rozwiązany", "resolved"),
    "inc.state.silenced": ("wyciszony", "silenced"),
    "inc.acknowledge": ("Potwierdź", "Acknowledge"),
    "inc.resolve": ("Rozwiąż", "Resolve"),
    "inc.note": ("Dodaj notatkę", "Add note"),
    "inc.note_label": ("Notatka", "Note"),
    "inc.silence": ("Wycisz", "Silence"),
    "inc.silence_hours": ("Na ile godzin", "For how many hours"),
    "inc.reason": ("Powód", "Reason"),
    "inc.timeline": ("Oś czasu", "Timeline"),
    "inc.evidence": ("Komentarze w wątkach", "Comments in their threads"),
    "inc.experts": ("Eksperci do tematu", "Experts for the topic"),
    "inc.no_experts": (
        "Brak eksperta dla tego tematu w czujka.toml.",
        "No expert for this topic in czujka.toml.",
    ),
    "inc.not_reachable": ("poza godzinami dostępności", "outside reachable hours"),
    "inc.call": ("Zadzwoń", "Call"),
    "inc.mail": ("Napisz", "Mail"),
    "inc.topic": ("temat", "topic"),
    "inc.viewer": (
        "Masz rolę „viewer”: możesz patrzeć, nie możesz zmieniać.",
        "You have the viewer role: you can look, not change.",
    ),
    "inc.all": ("Wszystkie incydenty", "All incidents"),
    "inc.staff": ("obsługa", "staff"),
    "inc.removed": ("usunięty", "removed"),
    "flag.harm": ("szkodliwy", "harmful"),
    "flag.vulgar": ("wulgarny", "vulgar"),
    "flag.negative": ("negatywny", "negative"),
    "flag.positive": ("pozytywny", "positive"),
    "flag.neutral": ("neutralny", "neutral"),
    "flag.mixed": ("mieszany", "mixed"),
    "flag.competitor": ("konkurencja", "competitor"),
    "charts.title": (
        "Komentarze na godzinę wobec normy dla tej godziny tygodnia",
        "Comments per hour against the hour-of-week baseline",
    ),
    "charts.day": ("24 h", "24 h"),
    "charts.week": ("7 dni", "7 days"),
    "charts.count": ("komentarze", "comments"),
    "charts.baseline": ("norma", "baseline"),
    "charts.negative": ("udział negatywnych", "negative share"),
    "charts.harmful": ("udział szkodliwych", "harmful share"),
    "charts.incident": ("incydent", "incident"),
    "charts.table": ("Dane w tabeli", "The data as a table"),
    "charts.hour": ("godzina", "hour"),
    "oncall.pointer": (
        "Grafiki, ludzie i ścieżki eskalacji pochodzą z pliku {path}. Zamianę dyżuru zrobisz tutaj; resztę "
        "zmienisz w pliku (i uruchomisz czujkę ponownie).",
        "Schedules, people and escalation policies come from {path}. Change a shift here; for the rest, edit "
        "the file and restart czujka.",
    ),
    "oncall.schedules": ("Grafiki dyżurów", "Schedules"),
    "channel.email": ("e-mail", "e-mail"),
    "channel.sms": ("SMS", "text message"),
    "channel.push": ("powiadomienie w telefonie", "phone notification"),
    "channel.chat": ("komunikator", "chat"),
    "channel.other": ("inny kanał", "another channel"),
    "change.title": ("Zamiana dyżuru", "Change a shift"),
    "change.intro": (
        "Weź dyżur albo przekaż go komuś: zmiana działa od razu, bez restartu, i widać, kto ją zrobił.",
        "Take a shift or hand one over: the change works at once, without a restart, and shows who made it.",
    ),
    "change.intro_approval": (
        "Zmianę zatwierdza: {who}. Do tego czasu liczy się grafik.",
        "Approved by: {who}. Until then the rota counts.",
    ),
    "change.schedule": ("Grafik", "Schedule"),
    "change.person": ("Kto ma dyżur", "Who is on duty"),
    "change.from": ("Od", "From"),
    "change.to": ("Do", "Until"),
    "change.note": ("Powód (dla zespołu)", "Why (for the team)"),
    "change.submit": ("Zapisz zmianę", "Save the change"),
    "change.list": ("Zmiany dyżurów", "Shift changes"),
    "change.none": ("Brak zmian.", "No changes."),
    "change.by": ("zmienił(a)", "made by"),
    "change.decided": ("zdecydował(a)", "decided by"),
    "change.state.active": ("obowiązuje", "in force"),
    "change.state.pending": ("czeka na zatwierdzenie", "waiting for approval"),
    "change.state.rejected": ("odrzucona", "rejected"),
    "change.state.cancelled": ("odwołana", "cancelled"),
    "change.approve": ("Zatwierdź", "Approve"),
    "change.reject": ("Odrzuć", "Reject"),
    "change.cancel": ("Odwołaj", "Cancel"),
    "change.saved": ("Zapisano zmianę dyżuru.", "The shift change is saved."),
    "change.viewer": (
        "Zmieniać dyżury mogą osoby z rolą responder lub admin.",
        "People with the responder or admin role can change shifts.",
    ),
    "oncall.policies": ("Ścieżki eskalacji", "Escalation policies"),
    "oncall.people": ("Ludzie i eksperci", "People and experts"),
    "oncall.wait": ("czekaj", "wait"),
    "oncall.repeat": ("powtórzenia", "repeats"),
    "oncall.override": ("zastępstwo", "override"),
    "oncall.feed": ("Kalendarz do subskrypcji", "Calendar to subscribe to"),
    "oncall.roles": ("role", "roles"),
    "oncall.expert_in": ("ekspert od", "expert in"),
    "oncall.channels": ("kanały", "channels"),
    "users.title": ("Użytkownicy", "Users"),
    "nav.connect": ("Profile", "Profiles"),
    "connect.title": ("Profile i połączenia", "Profiles and connections"),
    "connect.button": ("Połącz Facebook / Instagram", "Connect Facebook / Instagram"),
    "connect.intro": (
        "Zaloguj się na Facebooku jako osoba, która zarządza stroną sklepu. Wybierzesz strony, a czujka "
        "sama zapisze je na powiadomienia i pobierze komentarze z ostatnich dni.",
        "Log in to Facebook as someone who manages the shop's Page. You pick the Pages; czujka subscribes "
        "them to webhooks and fetches the last days' comments itself.",
    ),
    "connect.not_ready": (
        "Najpierw ustaw CZUJKA_META_APP_ID i CZUJKA_META_APP_SECRET (identyfikator i klucz Twojej aplikacji "
        "Meta) i uruchom czujkę ponownie. W aplikacji Meta dodaj adres przekierowania:",
        "First set CZUJKA_META_APP_ID and CZUJKA_META_APP_SECRET (your Meta app's id and secret) and restart "
        "czujka. In the Meta app, add this redirect address:",
    ),
    "connect.docs": ("Instrukcja krok po kroku: docs/connect.md", "Step-by-step guide: docs/connect.md"),
    "connect.done": ("Podłączono", "Connected"),
    "connect.backfilling": (
        "Komentarze z ostatnich dni właśnie się pobierają.",
        "The last days' comments are being fetched now.",
    ),
    "connect.profiles": ("Obserwowane profile", "Watched profiles"),
    "connect.none": ("Żaden profil nie jest jeszcze obserwowany.", "No profile is watched yet."),
    "connect.origin.connected": ("podłączony tutaj", "connected here"),
    "connect.origin.czujka.toml": ("z pliku czujka.toml", "from czujka.toml"),
    "connect.token.valid": ("token działa", "token works"),
    "connect.token.invalid": ("token nie działa", "token does not work"),
    "connect.token.unknown": ("token nie sprawdzony", "token not checked yet"),
    "connect.token.none": ("bez tokenu", "no token"),
    "connect.hooks.yes": ("powiadomienia włączone", "webhooks on"),
    "connect.hooks.no": ("powiadomienia wyłączone", "webhooks off"),
    "connect.last": ("ostatnio coś przyszło", "last arrival"),
    "connect.never": ("jeszcze nic", "nothing yet"),
    "connect.ok": ("bez problemów", "no problem seen"),
    "connect.disconnect": ("Odłącz", "Disconnect"),
    "connect.disconnect_confirm": (
        "Odłączyć ten profil? Komentarze i incydenty zostaną.",
        "Disconnect this profile? Its comments and incidents stay.",
    ),
    "connect.pick.title": ("Które strony ma obserwować czujka?", "Which Pages should czujka watch?"),
    "connect.pick.instagram": ("z kontem Instagram", "with Instagram account"),
    "connect.pick.submit": ("Podłącz wybrane", "Connect the chosen ones"),
    "connect.pick.none": (
        "To konto nie zarządza żadną stroną (albo nie dało czujce uprawnienia pages_show_list).",
        "This account manages no Page (or did not grant czujka pages_show_list).",
    ),
    "connect.missing": ("Brakuje uprawnień", "Permissions missing"),
    "connect.missing_fix": (
        "Możesz podłączyć mimo to albo zacząć jeszcze raz i zaznaczyć wszystkie uprawnienia.",
        "You may connect anyway, or start again and tick every permission.",
    ),
    "connect.again": ("Zacznij jeszcze raz", "Start again"),
    "connect.back": ("Wróć do profili", "Back to profiles"),
    "connect.refused": (
        "To logowanie przez Facebooka jest nieznane, wygasło albo zostało już użyte. Zacznij jeszcze raz.",
        "This Facebook sign-in is unknown, expired or already used. Start again.",
    ),
    "connect.cancelled": (
        "Logowanie przez Facebooka zostało przerwane; nic nie podłączono.",
        "Facebook sign-in was cancelled; nothing was connected.",
    ),
    "connect.failed": (
        "Facebook nie odpowiedział tak, jak trzeba; nic nie podłączono. Spróbuj za chwilę.",
        "Facebook did not answer as it should; nothing was connected. Try again in a moment.",
    ),
    "connect.token_refused": (
        "Facebook odrzucił token (kod 190); nic nie podłączono. Zaloguj się jeszcze raz.",
        "Facebook rejected the token (code 190); nothing was connected. Log in again.",
    ),
    "connect.expired": (
        "Lista stron wygasła (po 30 minutach). Zacznij jeszcze raz.",
        "The list of Pages has expired (after 30 minutes). Start again.",
    ),
    "connect.not_connected": ("Tego profilu nie podłączono tutaj.", "This profile was not connected here."),
    "channel.blind": ("czujka nie widzi", "czujka is blind to"),
    "users.disable": ("Wyłącz", "Disable"),
    "users.signout": ("Wyloguj wszędzie", "Sign out everywhere"),
    "users.disabled": ("wyłączony", "disabled"),
    "users.role": ("rola", "role"),
    "users.last": ("ostatnie logowanie", "last sign-in"),
    "error.forbidden": ("Brak uprawnień do tej czynności.", "You may not do this."),
    "error.csrf": (
        "Formularz wygasł lub nie pochodzi z tej strony. Odśwież i spróbuj ponownie.",
        "The form expired or did not come from this site. Reload and try again.",
    ),
    "error.not_found": ("Nie ma takiej strony.", "No such page."),
    "error.state": (
        "Tego nie można zrobić w obecnym stanie incydentu.",
        "This cannot be done in the incident's state.",
    ),
    "lang.switch": ("English", "Polski"),
    "ev.opened": ("otwarty", "opened"),
    "ev.signal": ("sygnał", "signal"),
    "ev.severity": ("waga", "severity"),
    "ev.acknowledged": ("potwierdzony", "acknowledged"),
    "ev.resolved": ("rozwiązany", "resolved"),
    "ev.silenced": ("wyciszony", "silenced"),
    "ev.note": ("notatka", "note"),
    "ev.escalation": ("eskalacja", "escalation"),
    "ev.page": ("powiadomienie", "page sent"),
    "ev.page_failed": ("powiadomienie nieudane", "page failed"),
    "ev.repaged": ("ponowna eskalacja", "paged again"),
    "ev.reply": ("odpowiedź wysłana", "reply sent"),
    "ev.reply_failed": ("odpowiedź nie wysłana", "reply failed"),
    "ev.reply_unknown": ("odpowiedź: brak potwierdzenia", "reply: no confirmation"),
    "ev.reply_waiting": ("odpowiedź czeka na akceptację", "reply waits for approval"),
    "ev.reply_approved": ("odpowiedź zaakceptowana", "reply approved"),
    "ev.reply_rejected": ("odpowiedź odrzucona", "reply rejected"),
    "inc.more": ("Notatka, wyciszenie", "Note, silence"),
    "pb.title": ("Co robić", "What to do"),
    "pb.first": ("Najpierw", "First"),
    "pb.avoid": ("Czego nie robić", "What not to do"),
    "pb.reply_hint": (
        "Aby odpowiedzieć, wybierz „Odpowiedz” pod komentarzem poniżej.",
        "To answer, choose \u201cReply\u201d under a comment below.",
    ),
    "pb.worsened": ("Odpowiedzi obsługi, które zaogniły spór", "Staff replies that made it worse"),
    "reply.button": ("Odpowiedz", "Reply"),
    "reply.title": ("Odpowiedź", "Reply"),
    "reply.to": ("Odpowiedź dla", "Reply to"),
    "reply.templates": ("Szablony (dotknij, by wstawić)", "Templates (tap to insert)"),
    "reply.text": ("Treść odpowiedzi", "Your reply"),
    "reply.private": (
        "Wyślij jako wiadomość prywatną (Messenger) zamiast pod postem",
        "Send as a private message (Messenger) instead of under the post",
    ),
    "reply.private_short": ("prywatnie", "private"),
    "reply.send": ("Wyślij odpowiedź", "Send reply"),
    "reply.earlier": (
        "Obsługa odpowiedziała już publicznie w tym wątku: {n}.",
        "The staff have already answered in public in this thread: {n}.",
    ),
    "reply.cannot_send": (
        "Ten profil nie ma tokenu dostępu w czujka.toml: odpowiedz w aplikacji Meta.",
        "This profile has no access token in czujka.toml: reply in Meta's app.",
    ),
    "reply.check_idle": (
        "Kontrola odpowiedzi sprawdzi tekst w trakcie pisania.",
        "The reply check reads the text as you type.",
    ),
    "reply.check_ok": ("Kontrola odpowiedzi: bez uwag.", "Reply check: nothing to fix."),
    "reply.check_risky": ("Zanim wyślesz, popraw:", "Before you send, fix this:"),
    "reply.state.sent": ("Odpowiedź wysłana.", "Reply sent."),
    "reply.state.pending_approval": (
        "Odpowiedź czeka na akceptację przełożonego.",
        "The reply waits for a lead's approval.",
    ),
    "reply.state.sending": ("Odpowiedź jest wysyłana.", "The reply is being sent."),
    "reply.state.failed": ("Odpowiedź nie została wysłana.", "The reply was not sent."),
    "reply.state.unknown": (
        "Nie wiadomo, czy odpowiedź się opublikowała: sprawdź wątek.",
        "Unknown whether the reply was posted: check the thread.",
    ),
    "reply.state.rejected": ("Odpowiedź odrzucona przez przełożonego.", "The reply was rejected by a lead."),
    "nav.hidden": ("Ukryte", "Hidden"),
    "mod.hide": ("Ukryj", "Hide"),
    "mod.trail": ("Moderacja tego komentarza", "This comment's moderation"),
    "hidden.title": ("Ukryte komentarze do przeglądu", "Hidden comments to review"),
    "hidden.intro": (
        "Komentarze ukryte lub usunięte przez reguły moderacji oraz ukryte poza czujką (filtry Meta, inny "
        "administrator). Ukryty komentarz widzi nadal jego autor i jego znajomi.",
        "Comments a moderation rule hid or deleted, and comments hidden outside czujka (Meta's filters, "
        "another admin). A hidden comment is still seen by its author and their friends.",
    ),
    "hidden.rule": ("reguła", "rule"),
    "hidden.written": ("napisany", "written"),
    "hidden.filter": ("Pokaż", "Show"),
    "hidden.by_rule": ("reguła", "rule"),
    "hidden.elsewhere": ("ukryty poza czujką", "hidden outside czujka"),
    "hidden.action.hide": ("ukryty", "hidden"),
    "hidden.action.delete": ("usunięty", "deleted"),
    "hidden.keep": ("Zostaw ukryty", "Keep hidden"),
    "hidden.unhide": ("Przywróć", "Unhide"),
    "hidden.delete": ("Usuń", "Delete"),
    "hidden.bulk": ("Zaznaczone:", "Selected:"),
    "hidden.empty": ("Nic nie czeka na przegląd.", "Nothing waits for review."),
    "hidden.waiting": ("Ukryte do przeglądu", "Hidden, to review"),
    "ev.moderation": ("moderacja", "moderation"),
    "ev.moderation_failed": ("moderacja nieudana", "moderation failed"),
    "approval.title": ("Odpowiedź do akceptacji", "Reply to approve"),
    "approval.queue": ("Odpowiedzi czekające na akceptację", "Replies waiting for approval"),
    "approval.waiting": ("Czeka na akceptację", "Waiting for approval"),
    "approval.send": ("Wyślij (z poprawkami)", "Send (as edited)"),
    "approval.reject": ("Odrzuć", "Reject"),
    "approval.note": ("Notatka dla autora", "Note to the author"),
    "approval.reject_note": (
        "Dlaczego odrzucasz (autor to zobaczy)",
        "Why you reject it (the author sees this)",
    ),
    "approval.not_lead": (
        "Akceptować mogą przełożeni z ustawień profilu i administratorzy.",
        "Only the profile's leads and admins may approve.",
    ),
}
MESSAGES_PL = {
    "this acknowledge link is not valid": "ten link do potwierdzenia jest nieprawidłowy",
    "this acknowledge link was already used": "ten link do potwierdzenia został już użyty",
    "this acknowledge link has expired": "ten link do potwierdzenia wygasł",
}


def translator(language: str) -> Callable[..., str]:
    pl = language == "pl"

    def t(key: str, **values: str) -> str:
        entry = WORDS.get(key)
        if entry is None:
            if key.startswith("kind."):
                return kind_name(key[5:], "pl" if pl else "en")
            if key.startswith("ev."):
                return key[3:]
            if key.startswith("topic."):
                return topic_name(key[6:], "pl" if pl else "en") or key[6:]
            return MESSAGES_PL.get(key, key) if pl else key
        text = entry[0] if pl else entry[1]
        return text.format(**values) if values else text

    t.language = language  # type: ignore[attr-defined]  # the macros' way to the page's language
    return t


# Counted words in each plural form Babel (CLDR) names for the language: 1 komentarz, 3 komentarze,
# 5 komentarzy.
COUNTED: dict[str, dict[str, dict[str, str]]] = {
    "comments": {
        "pl": {"one": "komentarz", "few": "komentarze", "many": "komentarzy", "other": "komentarza"},
        "en": {"one": "comment", "other": "comments"},
    },
}


def counted(n: int, word: str, language: str) -> str:
    forms = COUNTED[word][language if language in COUNTED[word] else "en"]
    form = Locale.parse(language).plural_form(n)
    return f"{n} {forms.get(form, forms['other'])}"


def timespan(delta: timedelta, language: str) -> str:
    """How long, rounded the way people say it: '12 minut', '3 godziny', '4 dni'."""
    return format_timedelta(delta, threshold=1.5, granularity="minute", locale=language)
