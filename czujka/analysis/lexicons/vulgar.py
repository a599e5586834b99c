"""czujka's own lexicon of vulgar stems, written for folded words (see normalize.fold).

Polish inflects every word, so entries are stems and patterns, not word lists: `kurw` covers kurwa,
kurwy, kurwą, kurwiszon…; prefixed verbs (wy-, za-, s-, od-, roz-…) are matched through the stem.
Entries marked `^` must start the word (optionally after the negation `nie`), which keeps innocent
words that merely contain the letters out: kurtka, spiczasty, duplikat, podupadać, pieprzniczka,
uruchomić, pierniczki, sukienka, ciotka, evening gown, Scunthorpe.

Each entry: (name shown to people, pattern on the folded word). `EXCEPTIONS` are whole folded words that
a pattern would catch but are innocent.
"""

from __future__ import annotations

PREFIXES = "(?:nie)?(?:za|wy|od|do|przy|roz|prze|po|na|pod|nad|ob|o|s|u|w|z|ze|we|wz)?"

POLISH: list[tuple[str, str]] = [
    ("kurwa", "k[ou]rw|kurew|kurestw"),
    ("chuj", "(?<!ma)chuj|(?<!mac)huj"),
    ("jebać", "jeb"),
    ("pierdolić", "pierd"),
    ("pizda", "pizd"),
    ("piczka", "^(?:nie)?picz(?:k|ce$|ek$)"),
    ("srać", "sra|sryw"),
    ("dupa", "(?<!kur)dup(?!l|ad)"),
    ("cipa", "^(?:nie)?cip(?:a|y|ie|e|o|om|ami|ach|k[a-z]*|sk[a-z]*|eczk[a-z]*)?$"),
    ("kutas", "^kutas"),
    ("fiut", "^fiut"),
    ("sukinsyn", "^sukin(?:syn|kot)"),
    ("suka", "^suk(?:a|i|o|e|om|ami|ach)$"),
    ("pieprzyć", f"^{PREFIXES[:-1]}(?!\\?)pieprz|^(?:nie)?pieprz(?:on|nie[tc]|eni)"),
    ("pierniczyć", "^(?:nie)?(?:za|wy|od|s|przy|roz|do|prze)piernicz"),
    ("ruchać", "^(?:nie)?(?:po|wy|prze|za|na|od|do|roz)ruch(?:a|an)"),
    ("śmierdziel", "^smierdziel"),
    ("gówno", "gown"),
    ("cwel", "^cwel"),
    ("dziwka", "^dziwk"),
    ("ciota", "^ciot(?:a|y|o|e|om|ami|ach)$"),
]

ENGLISH: list[tuple[str, str]] = [
    ("fuck", "fuck|^fck|^fuk(?:ing|in)?$"),
    ("shit", "shit"),
    ("bitch", "^bitch"),
    ("cunt", "^cunt"),
    ("dick", "^dick(?:head|s)?$"),
    ("asshole", "^(?:ass|arse)hole"),
    ("bastard", "^bastard"),
    ("whore", "^whore"),
    ("slut", "^slut"),
    ("faggot", "^fag(?:got|gots|s)?$"),
    ("nigger", "^nig(?:ger|ga)"),
    ("wanker", "^wank"),
    ("twat", "^twat"),
    ("cock", "^cock(?:s|sucker\\w*)?$"),
    ("motherfucker", "^motherf"),
    ("retard", "^retard"),
]

EXCEPTIONS: list[str] = [
    # English and names that contain a Polish stem
    "israel",
    "israeli",
    "israelis",
    "gown",
    "gowns",
    "shiitake",
    "shitake",
    "jebel",
    # pieprz- as pepper
    "popieprzyc",
    "przypieprzyc",
    "opieprzyc",
]
