"""Behaviour rules in words: « a acheté au moins 2 billets d'opéra en 2025/2026 »,
"attended at least 3 opera performances this season"."""

from __future__ import annotations

from habitue.segments import phrases as W
from habitue.segments.definition import DEFAULT_ROLE, BehaviourCondition
from habitue.segments.phrases import Names

# family -> ((fr singular, fr plural), (en singular, en plural))
NOUNS = {"TICKET": (("billet", "billets"), ("ticket", "tickets")),
         "SUBSCRIPTION": (("abonnement", "abonnements"), ("subscription", "subscriptions")),
         "MEMBERSHIP": (("adhésion", "adhésions"), ("membership", "memberships")),
         "OTHER": (("produit", "produits"), ("product", "products"))}
ANY_NOUN = (("article", "articles"), ("item", "items"))
PERFORMANCE = (("représentation", "représentations"), ("performance", "performances"))
ORDER = (("commande", "commandes"), ("order", "orders"))
ROLE_WORDS = {"holder": ("en tant que bénéficiaire", "as holder"),
              "buyer": ("en tant qu'acheteur", "as buyer"),
              "payer": ("en tant que payeur", "as payer")}
VOWELS = "aeiouyhàâéèêëîïôöûü"


def de(word: str) -> str:
    """French ``de`` elided before a vowel or a mute h: ``d'opéra``, ``de théâtre``."""
    return f"d'{word}" if word[:1].lower() in VOWELS else f"de {word}"


def behaviour_sentence(n: BehaviourCondition, lang: str, *, negated: bool = False,
                       names: Names | None = None, currency: str = "EUR") -> str:
    return _Words(n, lang, names or Names(), currency).sentence(negated)


class _Words:
    def __init__(self, n: BehaviourCondition, lang: str, names: Names, currency: str) -> None:
        self.n, self.lang, self.fr = n, lang, lang == "fr"
        self.names, self.currency = names, currency

    def pick(self, fr: str, en: str) -> str:
        return fr if self.fr else en

    def forms(self, pair: tuple) -> tuple[str, str]:
        return pair[0] if self.fr else pair[1]

    # -- noun phrases -----------------------------------------------------------------------

    def genres(self) -> str:
        return W.or_list([g.lower() for g in self.n.genre], self.lang)

    def noun(self, forms: tuple, plural: bool, genre: bool = True) -> str:
        """``billets d'opéra`` / ``opera tickets`` (the genre, when the rule has one)."""
        word = self.forms(forms)[1 if plural else 0]
        if not (genre and self.n.genre):
            return word
        if self.fr:
            return f"{word} " + " ou ".join(de(g.lower()) for g in self.n.genre)
        return f"{self.genres()} {word}"

    def items(self, plural: bool) -> str:
        """What was bought: billets / abonnements / articles, with the genre."""
        fam = self.n.family
        if len(fam) == 1:
            return self.noun(NOUNS[fam[0]], plural)
        if not fam:
            return self.noun(ANY_NOUN, plural)
        words = W.or_list([self.forms(NOUNS[f])[1 if plural else 0] for f in fam], self.lang)
        return self.noun(((words, words), (words, words)), plural)

    def counted(self, forms: tuple, genre: bool = True) -> str:
        """``au moins 2 billets d'opéra`` / ``at least 2 opera tickets``."""
        c = self.n.comparison
        plural = W.is_plural(W.plural_count(c), self.lang)

        def fmt(v: int) -> str:
            return W.number(v, self.lang)
        return f"{W.amount_phrase(c, self.lang, fmt, fewer=True)} " \
               f"{self.noun(forms, plural, genre)}"

    def performances(self, plural: bool, article: bool) -> str:
        """``une représentation d'opéra`` / ``an opera performance`` (``article``)."""
        text = self.noun(PERFORMANCE, plural)
        if not article:
            return text
        if self.fr:
            return f"une {text}"
        return f"{'an' if text[:1].lower() in 'aeiou' else 'a'} {text}"

    # -- the tail: what, when, who ----------------------------------------------------------

    def quoted(self, keys: tuple[str, ...], names) -> str:
        return W.or_list([W.quote(names.get(k, k), self.lang) for k in keys], self.lang)

    def tail(self, family_words: bool) -> str:
        n, parts = self.n, []
        if family_words and n.family:
            words = W.or_list([self.forms(NOUNS[f])[1] for f in n.family], self.lang)
            parts.append(self.pick(f"avec des {words}", f"with {words}"))
        if n.product:
            many = len(n.product) > 1
            parts.append(self.pick(f"{'des produits' if many else 'du produit'} ",
                                   f"of {'products' if many else 'product'} ")
                         + self.quoted(n.product, self.names.products))
        if n.performance:
            many = len(n.performance) > 1
            parts.append(self.pick(
                f"pour {'les représentations' if many else 'la représentation'} ",
                f"for {'performances' if many else 'performance'} ")
                + self.quoted(n.performance, self.names.performances))
        if n.season == "current":
            parts.append(self.pick("cette saison", "this season"))
        elif n.season == "previous":
            parts.append(self.pick("la saison dernière", "last season"))
        elif n.season:
            parts.append(self.pick("en ", "in ") + self.names.seasons.get(n.season, n.season))
        for key, fr, en in (("order_date", "date de commande", "order date"),
                            ("performance_date", "date de représentation", "performance date")):
            c = getattr(n, key)
            if c is not None:
                label = self.pick(fr, en)
                parts.append(f"({label}{W.colon(self.lang)}"
                             f"{W.date_phrase(c, self.lang, feminine=True)})")
        if n.role and n.role != DEFAULT_ROLE[n.measure or "lines"]:
            parts.append(f"({self.pick(*ROLE_WORDS[n.role])})")
        return "".join(f" {p}" for p in parts)

    # -- sentences ----------------------------------------------------------------------------

    def sentence(self, negated: bool) -> str:
        n, m = self.n, self.n.measure
        if n.behaviour == "bought":
            return self.bought(m, negated) + self.tail(False)
        verb = {"attended": (("a assisté à", "n'a assisté à aucune"), ("attended",
                                                                      "did not attend any")),
                "missed": (("a manqué", "n'a manqué aucune"), ("missed", "did not miss any"))}
        yes, no = self.forms(verb[n.behaviour])
        if negated:
            return f"{no} {self.performances(False, False)}" + self.tail(True)
        if m is None:
            return f"{yes} {self.performances(False, True)}" + self.tail(True)
        if m == "performances":
            return f"{yes} {self.counted(PERFORMANCE)}" + self.tail(True)
        lines = self.counted(NOUNS["TICKET"], genre=False)
        return f"{yes} {self.pick('des ', '')}{self.performances(True, False)} " \
               f"{self.pick('avec', 'with')} {lines}" + self.tail(True)

    def bought(self, m: str | None, negated: bool) -> str:
        items = self.items(plural=True)
        if m is None and negated:
            return self.pick(f"n'a pas acheté {de(items)}", f"did not buy {items}")
        if m is None:
            return self.pick(f"a acheté des {items}", f"bought {items}")
        if m == "lines":
            c = self.n.comparison
            plural = W.is_plural(W.plural_count(c), self.lang)
            amount = W.amount_phrase(c, self.lang, lambda v: W.number(v, self.lang), fewer=True)
            return self.pick(f"a acheté {amount} {self.items(plural)}",
                             f"bought {amount} {self.items(plural)}")
        if m == "amount":
            spent = W.amount_phrase(self.n.comparison, self.lang,
                                    lambda v: W.money(v, self.lang, self.currency))
            return self.pick(f"a dépensé {spent} en {items}", f"spent {spent} on {items}")
        if m in ("performances", "orders"):
            counted = self.counted(PERFORMANCE if m == "performances" else ORDER, genre=False)
            return self.pick(f"a acheté des {items} {'pour' if m == 'performances' else 'dans'}"
                             f" {counted}",
                             f"bought {items} {'for' if m == 'performances' else 'in'} {counted}")
        when = W.date_phrase(self.n.comparison, self.lang)
        first = m == "first_purchase"
        return self.pick(f"a acheté des {items}, {'premier' if first else 'dernier'} achat {when}",
                         f"bought {items}, {'first' if first else 'last'} purchase {when}")
